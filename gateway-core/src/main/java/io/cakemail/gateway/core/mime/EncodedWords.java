package io.cakemail.gateway.core.mime;

import java.io.ByteArrayOutputStream;
import java.util.Locale;

/**
 * Decodes RFC 2047 encoded words ({@code =?charset?B|Q?text?=}) in header text. Whitespace between adjacent encoded
 * words is dropped, and adjacent words in the same charset are decoded together, so a character split across two
 * words (as some mailers do) survives. A malformed word stays as it is.
 */
public final class EncodedWords {

    private EncodedWords() {}

    public static String decode(String text) {
        if (text == null || !text.contains("=?")) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length());
        ByteArrayOutputStream pending = new ByteArrayOutputStream();
        String pendingCharset = null;
        int i = 0;
        int literalStart = 0;
        while (i < text.length()) {
            Word word = text.startsWith("=?", i) ? Word.parse(text, i) : null;
            if (word == null) {
                i++;
                continue;
            }
            String between = text.substring(literalStart, i);
            boolean adjacent = pendingCharset != null && between.isBlank();
            if (!adjacent || !word.charset.equalsIgnoreCase(pendingCharset)) {
                pendingCharset = flush(out, pending, pendingCharset);
                if (!adjacent) {
                    out.append(between);
                }
            }
            word.decodeInto(pending);
            pendingCharset = word.charset;
            i = word.end;
            literalStart = i;
        }
        flush(out, pending, pendingCharset);
        out.append(text, literalStart, text.length());
        return out.toString();
    }

    private static String flush(StringBuilder out, ByteArrayOutputStream pending, String charset) {
        if (charset != null) {
            byte[] bytes = pending.toByteArray();
            out.append(Charsets.decode(bytes, 0, bytes.length, charset));
            pending.reset();
        }
        return null;
    }

    /** One well-formed encoded word. */
    private static final class Word {
        final String charset;
        final boolean base64;
        final String encoded;
        final int end;

        private Word(String charset, boolean base64, String encoded, int end) {
            this.charset = charset;
            this.base64 = base64;
            this.encoded = encoded;
            this.end = end;
        }

        static Word parse(String text, int start) {
            int q1 = text.indexOf('?', start + 2);
            if (q1 < 0 || q1 + 2 >= text.length() || text.charAt(q1 + 2) != '?') {
                return null;
            }
            char encoding = Character.toUpperCase(text.charAt(q1 + 1));
            int close = text.indexOf("?=", q1 + 3);
            if (close < 0 || encoding != 'B' && encoding != 'Q') {
                return null;
            }
            String charset = text.substring(start + 2, q1);
            int language = charset.indexOf('*'); // RFC 2231 5: charset*language
            if (language >= 0) {
                charset = charset.substring(0, language);
            }
            String encoded = text.substring(q1 + 3, close);
            if (charset.isEmpty() || encoded.chars().anyMatch(c -> c <= ' ' || c >= 0x7f)) {
                return null;
            }
            return new Word(charset.toLowerCase(Locale.ROOT), encoding == 'B', encoded, close + 2);
        }

        void decodeInto(ByteArrayOutputStream out) {
            if (base64) {
                Base64Decoder.decodeLenient(encoded, out);
                return;
            }
            for (int i = 0; i < encoded.length(); i++) {
                char c = encoded.charAt(i);
                if (c == '_') {
                    out.write(' ');
                } else if (c == '='
                        && i + 2 < encoded.length()
                        && isHex(encoded.charAt(i + 1))
                        && isHex(encoded.charAt(i + 2))) {
                    out.write(Character.digit(encoded.charAt(i + 1), 16) << 4
                            | Character.digit(encoded.charAt(i + 2), 16));
                    i += 2;
                } else {
                    out.write(c);
                }
            }
        }

        private static boolean isHex(char c) {
            return Character.digit(c, 16) >= 0;
        }
    }
}
