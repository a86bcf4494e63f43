package io.cakemail.gateway.smtp.session;

import io.cakemail.gateway.smtp.SmtpReply;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.IntPredicate;

/**
 * The argument of MAIL FROM or RCPT TO: a path in angle brackets (RFC 5321 4.1.2, RFC 6531 for UTF-8) and the ESMTP
 * parameters after it. Parsing throws {@link SmtpReplyException} with the reply for the first problem found.
 *
 * @param mailbox the address, or {@code null} for the null path {@code <>}
 * @param nonAscii whether the address holds UTF-8 characters
 * @param parameters the parameters as given, keywords upper-cased
 */
record PathArgument(String mailbox, boolean nonAscii, List<Parameter> parameters) {

    private static final int MAX_PATH_LENGTH = 256;
    private static final int MAX_LOCAL_PART_LENGTH = 64;
    private static final int MAX_DOMAIN_LENGTH = 255;
    private static final String ATEXT_SPECIALS = "!#$%&'*+-/=?^_`{|}~";

    /** One ESMTP parameter; {@code value} is {@code null} when there is no {@code =}. */
    record Parameter(String keyword, String value) {}

    /**
     * Parses {@code argument}, which must start with {@code prefix} ({@code FROM:} or {@code TO:}, any case).
     *
     * @param unusable the reply to an address that holds what no mailbox can ({@link #hasOnlyMailboxCharacters})
     */
    static PathArgument parse(
            String argument, String prefix, SmtpReply syntaxError, SmtpReply badAddress, SmtpReply unusable) {
        if (argument.length() < prefix.length() || !argument.regionMatches(true, 0, prefix, 0, prefix.length())) {
            throw new SmtpReplyException(syntaxError);
        }
        int open = prefix.length();
        if (open < argument.length() && argument.charAt(open) == ' ') {
            open++; // "MAIL FROM: <a@b>" is common enough to accept
        }
        if (open >= argument.length() || argument.charAt(open) != '<') {
            throw new SmtpReplyException(syntaxError);
        }
        int close = closingBracket(argument, open + 1);
        if (close < 0 || close - open - 1 > MAX_PATH_LENGTH) {
            throw new SmtpReplyException(badAddress);
        }
        String path = stripSourceRoute(argument.substring(open + 1, close));
        String mailbox = path.isEmpty() ? null : path;
        boolean nonAscii = false;
        if (mailbox != null) {
            nonAscii = !every(mailbox, c -> c < 0x80);
            if (nonAscii && !hasOnlyMailboxCharacters(mailbox)) {
                throw new SmtpReplyException(unusable);
            }
            if (!isMailbox(mailbox)) {
                throw new SmtpReplyException(badAddress);
            }
        }
        return new PathArgument(mailbox, nonAscii, parameters(argument.substring(close + 1), syntaxError));
    }

    private static int closingBracket(String s, int from) {
        boolean quoted = false;
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quoted && c == '\\') {
                i++;
            } else if (c == '"') {
                quoted = !quoted;
            } else if (c == '>' && !quoted) {
                return i;
            }
        }
        return -1;
    }

    /** RFC 5321 4.1.2: an obsolete source route ({@code @a,@b:}) must be accepted and ignored. */
    private static String stripSourceRoute(String path) {
        if (path.startsWith("@")) {
            int colon = path.indexOf(':');
            return colon < 0 ? path : path.substring(colon + 1);
        }
        return path;
    }

    private static List<Parameter> parameters(String rest, SmtpReply syntaxError) {
        if (rest.isEmpty()) {
            return List.of();
        }
        if (rest.charAt(0) != ' ') {
            throw new SmtpReplyException(syntaxError);
        }
        List<Parameter> parameters = new ArrayList<>(2);
        for (String token : rest.substring(1).split(" ", -1)) {
            if (token.isEmpty()) {
                continue;
            }
            int eq = token.indexOf('=');
            String keyword = (eq < 0 ? token : token.substring(0, eq)).toUpperCase(Locale.ROOT);
            if (keyword.isEmpty() || !every(keyword, c -> c == '-' || Character.isLetterOrDigit(c) && c < 0x80)) {
                throw new SmtpReplyException(syntaxError);
            }
            parameters.add(new Parameter(keyword, eq < 0 ? null : token.substring(eq + 1)));
        }
        return parameters;
    }

    /**
     * Whether every character of {@code mailbox} beyond ASCII is one a mailbox can hold: a visible character, not U+FFFD
     * (what invalid UTF-8 decodes to: the address the client meant is lost), not an invisible or direction control
     * (zero-width joiners and spaces, bidi overrides: an address that displays as another), not a space or a code point
     * with no character, and not a lookalike of {@code @} (fullwidth, small).
     */
    static boolean hasOnlyMailboxCharacters(String mailbox) {
        for (int i = 0; i < mailbox.length(); ) {
            int c = mailbox.codePointAt(i);
            if (c >= 0x80 && !isMailboxCharacter(c)) {
                return false;
            }
            i += Character.charCount(c);
        }
        return true;
    }

    private static boolean isMailboxCharacter(int c) {
        return switch (Character.getType(c)) {
            case Character.CONTROL,
                    Character.FORMAT,
                    Character.SURROGATE,
                    Character.PRIVATE_USE,
                    Character.UNASSIGNED,
                    Character.SPACE_SEPARATOR,
                    Character.LINE_SEPARATOR,
                    Character.PARAGRAPH_SEPARATOR -> false;
            default -> c != 0xfffd && c != 0xff20 && c != 0xfe6b;
        };
    }

    /** {@code Local-part "@" ( Domain / address-literal )}, with UTF-8 allowed as RFC 6531 extends it. */
    static boolean isMailbox(String mailbox) {
        int at = mailbox.lastIndexOf('@');
        if (at <= 0 || at == mailbox.length() - 1) {
            return false;
        }
        String local = mailbox.substring(0, at);
        String domain = mailbox.substring(at + 1);
        return local.length() <= MAX_LOCAL_PART_LENGTH
                && domain.length() <= MAX_DOMAIN_LENGTH
                && (isDotString(local) || isQuotedString(local))
                && (isDomain(domain) || isAddressLiteral(domain));
    }

    private static boolean isDotString(String s) {
        if (s.startsWith(".") || s.endsWith(".") || s.contains("..")) {
            return false;
        }
        return every(s, c -> c == '.' || isAtext(c));
    }

    private static boolean isAtext(int c) {
        return c >= 'a' && c <= 'z'
                || c >= 'A' && c <= 'Z'
                || c >= '0' && c <= '9'
                || ATEXT_SPECIALS.indexOf(c) >= 0
                || c >= 0x80;
    }

    private static boolean isQuotedString(String s) {
        if (s.length() < 2 || s.charAt(0) != '"' || s.charAt(s.length() - 1) != '"') {
            return false;
        }
        for (int i = 1; i < s.length() - 1; i++) {
            char c = s.charAt(i);
            if (c == '\\') {
                i++;
                if (i >= s.length() - 1 || s.charAt(i) < ' ' || s.charAt(i) > '~') {
                    return false;
                }
            } else if (c == '"' || c < ' ' || c == 0x7f) {
                return false;
            }
        }
        return true;
    }

    private static boolean isDomain(String domain) {
        for (String label : domain.split("\\.", -1)) {
            if (label.isEmpty()
                    || label.length() > 63
                    || label.startsWith("-")
                    || label.endsWith("-")
                    || !every(label, c -> c == '-' || Character.isLetterOrDigit(c))) {
                return false;
            }
        }
        return true;
    }

    private static boolean isAddressLiteral(String domain) {
        return domain.length() > 2
                && domain.startsWith("[")
                && domain.endsWith("]")
                && every(
                        domain.substring(1, domain.length() - 1),
                        c -> c > ' ' && c < 0x7f && c != '[' && c != ']' && c != '\\');
    }

    /** Whether every character of {@code text} matches; a loop, since a stream costs more than the check here. */
    private static boolean every(String text, IntPredicate test) {
        for (int i = 0; i < text.length(); i++) {
            if (!test.test(text.charAt(i))) {
                return false;
            }
        }
        return true;
    }
}
