package io.cakemail.gateway.core.transform;

/**
 * Header text on its way out of the gateway: no control character leaves in a header value. A value decoded from
 * encoded words ({@code =?utf-8?b?DQpCY2M6IC4uLg==?=} is {@code \r\nBcc: ...}), or sent raw over BDAT, could otherwise
 * carry a line break into a header the API writes, and a header of the client's choosing after it. Each control
 * character (CR, LF, NUL, TAB and the other C0 controls, and DEL) becomes a space: the text stays readable, and no
 * value can end a line.
 */
final class HeaderText {

    private HeaderText() {}

    /** {@code value} with every control character a space; {@code null} stays {@code null}. */
    static String printable(String value) {
        if (value == null) {
            return null;
        }
        char[] chars = null;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                if (chars == null) {
                    chars = value.toCharArray();
                }
                chars[i] = ' ';
            }
        }
        return chars == null ? value : new String(chars);
    }
}
