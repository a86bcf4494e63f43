package io.cakemail.gateway.benchmarks;

import java.nio.charset.StandardCharsets;

/**
 * Deterministic SMTP input for the benchmarks.
 */
final class Messages {

    private static final String LINE =
            "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tem\r\n";
    private static final String DOT_LINE =
            ".A line that starts with a dot is stuffed by the client, like this one..\r\n";

    private Messages() {}

    /**
     * {@code DATA}, a body of about {@code bodySize} octets in 78-octet lines, {@code dotLinePercent} of them
     * starting with a dot (so dot-stuffed), and the end.
     */
    static byte[] dataTransaction(int bodySize, int dotLinePercent) {
        return ("DATA\r\n" + body(bodySize, dotLinePercent) + ".\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    static String body(int bodySize, int dotLinePercent) {
        StringBuilder body = new StringBuilder(bodySize + LINE.length());
        body.append("Subject: benchmark\r\n\r\n");
        for (int line = 0; body.length() < bodySize; line++) {
            body.append(line % 100 < dotLinePercent ? "." + DOT_LINE : LINE);
        }
        return body.toString();
    }

    /** A typical pipelined submission: EHLO, AUTH, MAIL, two RCPT, DATA with a 1 KiB body, QUIT. */
    static byte[] pipelinedTransaction() {
        return ("EHLO client.example.com\r\n"
                        + "AUTH PLAIN AHVzZXJAZXhhbXBsZS5jb20Ac2VjcmV0\r\n"
                        + "MAIL FROM:<sender@example.com> SIZE=1100 BODY=8BITMIME\r\n"
                        + "RCPT TO:<one@example.com>\r\n"
                        + "RCPT TO:<two@example.com>\r\n"
                        + "DATA\r\n"
                        + body(1024, 0)
                        + ".\r\n"
                        + "QUIT\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    }
}
