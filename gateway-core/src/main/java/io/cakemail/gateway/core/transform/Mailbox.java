package io.cakemail.gateway.core.transform;

import io.cakemail.gateway.core.mime.EncodedWords;

/**
 * The first mailbox of an address header: {@code "Name" <addr>}, {@code Name <addr>}, {@code addr (Name)} or
 * {@code addr}, display names RFC 2047-decoded and {@linkplain HeaderText#printable printable}.
 *
 * @param address the address, or {@code null} when none could be found (or what was found holds a space or a
 *     control character, which no address the API knows does)
 * @param name the display name, or {@code null}
 */
public record Mailbox(String address, String name) {

    public static Mailbox parse(String header) {
        if (header == null || header.isBlank()) {
            return new Mailbox(null, null);
        }
        String value = firstMailbox(header.trim());
        int open = lastUnquoted(value, '<');
        if (open >= 0) {
            int close = value.indexOf('>', open);
            String address = value.substring(open + 1, close < 0 ? value.length() : close)
                    .trim();
            return new Mailbox(address(address), displayName(value.substring(0, open)));
        }
        int comment = value.indexOf('(');
        if (comment > 0) {
            int end = value.lastIndexOf(')');
            return new Mailbox(
                    address(value.substring(0, comment).trim()),
                    displayName(value.substring(comment + 1, end > comment ? end : value.length())));
        }
        return new Mailbox(address(value), null);
    }

    /** {@code candidate} as an address, or {@code null} when empty or holding a space or a control character. */
    private static String address(String candidate) {
        boolean usable = candidate.chars().noneMatch(c -> c <= ' ' || c == 0x7f);
        return usable ? emptyToNull(candidate) : null;
    }

    private static String firstMailbox(String header) {
        boolean quoted = false;
        boolean angled = false;
        for (int i = 0; i < header.length(); i++) {
            char c = header.charAt(i);
            if (c == '"' && (i == 0 || header.charAt(i - 1) != '\\')) {
                quoted = !quoted;
            } else if (!quoted && c == '<') {
                angled = true;
            } else if (!quoted && c == '>') {
                angled = false;
            } else if (!quoted && !angled && c == ',') {
                return header.substring(0, i).trim();
            }
        }
        return header;
    }

    private static int lastUnquoted(String value, char wanted) {
        boolean quoted = false;
        int found = -1;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"' && (i == 0 || value.charAt(i - 1) != '\\')) {
                quoted = !quoted;
            } else if (!quoted && c == wanted) {
                found = i;
            }
        }
        return found;
    }

    private static String displayName(String raw) {
        String name = raw.trim();
        if (name.length() >= 2 && name.startsWith("\"") && name.endsWith("\"")) {
            name = name.substring(1, name.length() - 1).replace("\\\"", "\"").replace("\\\\", "\\");
        }
        name = HeaderText.printable(EncodedWords.decode(name)).trim();
        return emptyToNull(name);
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
