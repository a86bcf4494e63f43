package io.cakemail.gateway.benchmarks;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Random;

/**
 * The three messages of the MIME benchmarks, as a client would send them: plain text, an HTML newsletter
 * (multipart/alternative, quoted-printable) and a message with a 5 MiB PDF attachment (base64).
 */
final class MimeMessages {

    private MimeMessages() {}

    static byte[] byName(String name) {
        return switch (name) {
            case "plain" -> plain();
            case "newsletter" -> newsletter();
            case "pdf5m" -> pdfAttachment(5 * 1024 * 1024);
            default -> throw new IllegalArgumentException(name);
        };
    }

    static byte[] plain() {
        StringBuilder body = new StringBuilder();
        for (int i = 0; body.length() < 2048; i++) {
            body.append("Line ").append(i).append(" of a plain transactional message, as sent by scripts.\r\n");
        }
        return ("From: Alerts <sandbox@example.com>\r\nTo: user@example.net\r\nSubject: Your report is ready\r\n"
                        + "Date: Tue, 24 Nov 2026 10:00:00 +0000\r\nMessage-ID: <bench-1@example.com>\r\nMIME-Version: 1.0\r\n"
                        + "Content-Type: text/plain; charset=us-ascii\r\nContent-Transfer-Encoding: 7bit\r\n\r\n"
                        + body)
                .getBytes(StandardCharsets.US_ASCII);
    }

    static byte[] newsletter() {
        StringBuilder html = new StringBuilder("<!DOCTYPE html><html><body><table width=3D\"600\">");
        StringBuilder text = new StringBuilder();
        for (int i = 0; html.length() < 60_000; i++) {
            html.append("<tr><td style=3D\"font-family:Arial;color:#333\"><h2>Article ")
                    .append(i)
                    .append(" =E2=80=93 caf=C3=A9 & cr=C3=A8me</h2><p>Lorem ipsum dolor sit amet, consectetur =\r\n")
                    .append("adipiscing elit. <a href=3D\"https://example.com/a/")
                    .append(i)
                    .append("\">Read more</a></p></td></tr>=\r\n");
            text.append("Article ")
                    .append(i)
                    .append(" =E2=80=93 caf=C3=A9 & cr=C3=A8me\r\nLorem ipsum dolor sit ")
                    .append("amet, consectetur adipiscing elit. https://example.com/a/")
                    .append(i)
                    .append("\r\n\r\n");
        }
        html.append("</table></body></html>\r\n");
        return ("From: \"Acme News\" <news@acme.example>\r\nTo: reader@example.net\r\n"
                        + "Subject: =?UTF-8?Q?Les_nouveaut=C3=A9s_de_novembre?=\r\nMIME-Version: 1.0\r\n"
                        + "List-Unsubscribe: <https://acme.example/u>\r\nX-Tags: newsletter\r\n"
                        + "Content-Type: multipart/alternative; boundary=\"b1_newsletter\"\r\n\r\n"
                        + "--b1_newsletter\r\nContent-Type: text/plain; charset=utf-8\r\n"
                        + "Content-Transfer-Encoding: quoted-printable\r\n\r\n" + text
                        + "\r\n--b1_newsletter\r\nContent-Type: text/html; charset=utf-8\r\n"
                        + "Content-Transfer-Encoding: quoted-printable\r\n\r\n" + html
                        + "\r\n--b1_newsletter--\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    static byte[] pdfAttachment(int size) {
        byte[] pdf = new byte[size];
        new Random(42).nextBytes(pdf);
        return ("From: Billing <billing@acme.example>\r\nTo: customer@example.net\r\nSubject: Invoice\r\n"
                        + "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"mixed\"\r\n\r\n"
                        + "--mixed\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nYour invoice is attached.\r\n"
                        + "--mixed\r\nContent-Type: application/pdf; name=\"invoice.pdf\"\r\n"
                        + "Content-Disposition: attachment; filename=\"invoice.pdf\"\r\n"
                        + "Content-Transfer-Encoding: base64\r\n\r\n"
                        + Base64.getMimeEncoder().encodeToString(pdf)
                        + "\r\n--mixed--\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    }
}
