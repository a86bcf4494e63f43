package io.cakemail.gateway.core.mime;

import java.io.ByteArrayOutputStream;
import java.util.Locale;
import java.util.function.IntUnaryOperator;

/**
 * Decodes RFC 2047 encoded words ({@code =?charset?B|Q?text?=}) in header text. Whitespace between adjacent encoded
 * words is dropped, and adjacent words in the same charset are decoded together, so a character split across two
 * words (as some mailers do) survives. A malformed word stays as it is.
 *
 * <p>Work is linear in the text, whatever it holds: every search for the next {@code ?}, {@code ?=} or character an
 * encoded word cannot hold starts where the last one of its kind ended, never again from each {@code =?} (text made
 * of {@code =?a?b?c} over and over once cost the square of its length, seconds on an event loop).
 */
public final class EncodedWords {

    private EncodedWords() {}

    public static String decode(String text) {
        if (text == null || !text.contains("=?")) {
            return text;
        }
        Scanner scanner = new Scanner(text);
        StringBuilder out = new StringBuilder(text.length());
        ByteArrayOutputStream pending = new ByteArrayOutputStream();
        String pendingCharset = null;
        int literalStart = 0;
        for (int i = text.indexOf("=?"); i >= 0; i = text.indexOf("=?", i)) {
            Word word = scanner.word(i);
            if (word == null) {
                i++;
                continue;
            }
            boolean adjacent = pendingCharset != null && isBlank(text, literalStart, i);
            if (!adjacent || !word.charset.equalsIgnoreCase(pendingCharset)) {
                pendingCharset = flush(out, pending, pendingCharset);
                if (!adjacent) {
                    out.append(text, literalStart, i);
                }
            }
            word.decodeInto(text, pending);
            pendingCharset = word.charset;
            i = word.end;
            literalStart = i;
        }
        flush(out, pending, pendingCharset);
        out.append(text, literalStart, text.length());
        return out.toString();
    }

    private static boolean isBlank(String text, int from, int to) {
        for (int i = from; i < to; i++) {
            if (!Character.isWhitespace(text.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static String flush(StringBuilder out, ByteArrayOutputStream pending, String charset) {
        if (charset != null) {
            byte[] bytes = pending.toByteArray();
            out.append(Charsets.decode(bytes, 0, bytes.length, charset));
            pending.reset();
        }
        return null;
    }

    /**
     * Finds encoded words at increasing positions of one text, remembering where each kind of search last ended: the
     * next {@code ?}, the next {@code ?=} and the next character no charset or encoded text may hold (a space, a
     * control, a non-ASCII character) are each found once for every stretch of the text, not once for every
     * {@code =?}. Each search is asked from positions that never go back, which is what makes it linear.
     */
    private static final class Scanner {
        private final String text;
        private final Search question = new Search();
        private final Search close = new Search();
        private final Search forbiddenInCharset = new Search();
        private final Search forbiddenInText = new Search();

        Scanner(String text) {
            this.text = text;
        }

        /** The well-formed encoded word at {@code start} (where {@code =?} is), or {@code null}. */
        Word word(int start) {
            int q1 = question.next(start + 2, from -> text.indexOf('?', from));
            if (q1 < 0 || q1 + 2 >= text.length() || text.charAt(q1 + 2) != '?') {
                return null;
            }
            char encoding = Character.toUpperCase(text.charAt(q1 + 1));
            if (encoding != 'B' && encoding != 'Q') {
                return null;
            }
            int end = close.next(q1 + 3, from -> text.indexOf("?=", from));
            if (end < 0
                    || forbiddenInText.next(q1 + 3, this::forbiddenFrom) < end
                    || forbiddenInCharset.next(start + 2, this::forbiddenFrom) < q1) {
                return null;
            }
            String charset = text.substring(start + 2, q1);
            int language = charset.indexOf('*'); // RFC 2231 5: charset*language
            if (language >= 0) {
                charset = charset.substring(0, language);
            }
            if (charset.isEmpty()) {
                return null;
            }
            return new Word(charset.toLowerCase(Locale.ROOT), encoding == 'B', q1 + 3, end, end + 2);
        }

        private int forbiddenFrom(int from) {
            for (int i = from; i < text.length(); i++) {
                if (isForbidden(text.charAt(i))) {
                    return i;
                }
            }
            return text.length();
        }

        private static boolean isForbidden(char c) {
            return c <= ' ' || c >= 0x7f;
        }
    }

    /**
     * One kind of forward search over a text, asked from positions that never go back: an answer found from one
     * position stands for every later position up to it, so each stretch of the text is searched once.
     */
    private static final class Search {
        private int from = -1;
        /** What the last search found: an index, or -1 (or the text's length) for nothing after {@link #from}. */
        private int found = -1;

        int next(int position, IntUnaryOperator search) {
            if (from < 0 || found >= 0 && found < position) {
                from = position;
                found = search.applyAsInt(position);
            }
            return found;
        }
    }

    /** One well-formed encoded word: its encoded text lies between {@code textStart} and {@code textEnd}. */
    private record Word(String charset, boolean base64, int textStart, int textEnd, int end) {

        void decodeInto(String text, ByteArrayOutputStream out) {
            if (base64) {
                Base64Decoder.decodeLenient(text.substring(textStart, textEnd), out);
                return;
            }
            for (int i = textStart; i < textEnd; i++) {
                char c = text.charAt(i);
                if (c == '_') {
                    out.write(' ');
                } else if (c == '=' && i + 2 < textEnd && isHex(text.charAt(i + 1)) && isHex(text.charAt(i + 2))) {
                    out.write(Character.digit(text.charAt(i + 1), 16) << 4 | Character.digit(text.charAt(i + 2), 16));
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
