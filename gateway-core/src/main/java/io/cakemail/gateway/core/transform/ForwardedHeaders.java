package io.cakemail.gateway.core.transform;

import io.cakemail.gateway.core.mime.HeaderField;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Which message headers travel as {@code additional_headers}: the standard ones worth keeping (replies, threading,
 * list management, priority) and custom {@code X-*} headers, minus control headers and those that mail systems add
 * in transit. Structural and transport headers (Received, DKIM-Signature, Content-*, MIME-Version, To, Cc, Bcc, ...)
 * never do: the API writes its own. Values are forwarded as written, encoded words included, but for control
 * characters ({@link HeaderText#printable}).
 */
final class ForwardedHeaders {

    private static final Set<String> STANDARD = Set.of(
            "reply-to",
            "in-reply-to",
            "references",
            "list-unsubscribe",
            "list-unsubscribe-post",
            "list-id",
            "list-help",
            "list-subscribe",
            "list-post",
            "list-owner",
            "list-archive",
            "auto-submitted",
            "precedence",
            "importance",
            "priority",
            "sensitivity",
            "organization",
            "keywords",
            "comments",
            "disposition-notification-to",
            "thread-topic",
            "thread-index");

    private static final List<String> TRANSIT_PREFIXES =
            List.of("x-received", "x-google-", "x-gm-", "x-ms-", "x-microsoft-", "x-forefront-");

    private ForwardedHeaders() {}

    static List<HeaderField> select(List<HeaderField> fields) {
        List<HeaderField> kept = new ArrayList<>();
        for (HeaderField field : fields) {
            String name = field.lowerCaseName();
            if (STANDARD.contains(name) || isCustom(name)) {
                String value = HeaderText.printable(field.value());
                kept.add(value == field.value() ? field : new HeaderField(field.name(), value, name));
            }
        }
        return kept;
    }

    private static boolean isCustom(String name) {
        return name.startsWith("x-") && !ControlHeaders.isControl(name) && !isTransit(name);
    }

    private static boolean isTransit(String name) {
        for (String prefix : TRANSIT_PREFIXES) {
            if (name.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }
}
