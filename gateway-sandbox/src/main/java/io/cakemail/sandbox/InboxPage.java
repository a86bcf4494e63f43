package io.cakemail.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * The inbox as a web page: one row per accepted email, its HTML shown in a sandboxed frame (no scripts, no
 * navigation), its text, and links to download its attachments.
 */
final class InboxPage {

    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC);

    private InboxPage() {}

    static String render(List<Inbox.Email> emails, SandboxConfig config) {
        StringBuilder page = new StringBuilder(4096 + emails.size() * 1024);
        page.append("""
                <!DOCTYPE html>
                <html lang="en"><head><meta charset="utf-8"><title>Cakemail sandbox inbox</title>
                <style>
                 body{font-family:system-ui,sans-serif;margin:2rem;color:#222}
                 h1{font-size:1.4rem} table{border-collapse:collapse;width:100%}
                 th,td{border-bottom:1px solid #ddd;padding:.4rem .6rem;text-align:left;vertical-align:top}
                 th{background:#f4f4f4} .tag{background:#e8f0fe;border-radius:3px;padding:0 .3rem;margin-right:.2rem}
                 iframe{width:100%;height:320px;border:1px solid #ccc;background:#fff}
                 pre{white-space:pre-wrap;background:#fafafa;border:1px solid #eee;padding:.5rem}
                 .status{font-weight:600} .empty{color:#777}
                </style></head><body>
                <h1>Cakemail sandbox inbox</h1>
                <p>Emails submitted to this sandbox (<code>POST /v2/emails</code>), newest first. Nothing here was sent
                to anyone. As JSON: <a href="/sandbox/messages">/sandbox/messages</a>.</p>
                """);
        if (emails.isEmpty()) {
            page.append("<p class=\"empty\">No messages yet.</p>");
        } else {
            page.append("<table><thead><tr><th>Received</th><th>From</th><th>To</th><th>Subject</th><th>Tags</th>"
                    + "<th>Type</th><th>Status</th></tr></thead><tbody>");
            boolean newest = true;
            for (Inbox.Email email : emails) {
                row(page, email, config, newest);
                newest = false;
            }
            page.append("</tbody></table>");
        }
        return page.append("</body></html>").toString();
    }

    /** One email; the newest one shows its content open. */
    private static void row(StringBuilder page, Inbox.Email email, SandboxConfig config, boolean open) {
        JsonNode request = email.request();
        JsonNode content = request.path("content");
        page.append("<tr id=\"")
                .append(escape(email.id()))
                .append("\"><td>")
                .append(TIME.format(email.received()))
                .append("</td><td>")
                .append(escape(from(request, config)))
                .append("</td><td>")
                .append(escape(email.recipient()))
                .append("</td><td>")
                .append(escape(email.subject()))
                .append("</td><td>");
        for (JsonNode tag : request.path("tags")) {
            page.append("<span class=\"tag\">").append(escape(tag.asText())).append("</span>");
        }
        page.append("</td><td>")
                .append(escape(content.path("type").asText("")))
                .append("</td><td class=\"status\">")
                .append(escape(email.status()))
                .append("</td></tr><tr><td></td><td colspan=\"6\"><details")
                .append(open ? " open" : "")
                .append("><summary>")
                .append("Show message</summary>");
        if (content.has("html")) {
            page.append("<iframe sandbox=\"\" title=\"HTML body\" srcdoc=\"")
                    .append(escape(content.get("html").asText()))
                    .append("\"></iframe>");
        }
        if (content.has("text")) {
            page.append("<pre>").append(escape(content.get("text").asText())).append("</pre>");
        }
        JsonNode attachments = request.path("attachment");
        List<JsonNode> list =
                attachments.isArray() ? toList(attachments) : attachments.isObject() ? List.of(attachments) : List.of();
        for (int i = 0; i < list.size(); i++) {
            page.append("<a href=\"/sandbox/messages/")
                    .append(escape(email.id()))
                    .append("/attachments/")
                    .append(i)
                    .append("\" download=\"")
                    .append(escape(list.get(i).path("filename").asText()))
                    .append("\">")
                    .append(escape(list.get(i).path("filename").asText()))
                    .append("</a> ");
        }
        page.append("</details></td></tr>");
    }

    private static String from(JsonNode request, SandboxConfig config) {
        String senderId = request.path("sender").path("id").asText("");
        String name = request.path("sender").path("name").asText(null);
        String address = config.accounts().stream()
                .flatMap(a -> a.senders().stream())
                .filter(s -> s.id().equals(senderId))
                .map(SandboxConfig.Sender::email)
                .findFirst()
                .orElse(senderId);
        return name == null ? address : name + " <" + address + ">";
    }

    private static List<JsonNode> toList(JsonNode array) {
        List<JsonNode> list = new java.util.ArrayList<>();
        array.forEach(list::add);
        return list;
    }

    static String escape(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
