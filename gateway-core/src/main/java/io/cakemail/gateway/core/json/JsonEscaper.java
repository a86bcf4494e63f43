package io.cakemail.gateway.core.json;

import io.cakemail.gateway.core.memory.ChunkedBuffer;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * Writes well-formed UTF-8 as the content of a JSON string (no quotes around it), escaping what Jackson escapes:
 * {@code "}, {@code \} and the control characters below U+0020. The text is escaped in blocks copied into
 * {@link Scratch} arrays; runs that need no escaping (nearly all of a mail body) are found eight bytes at a time and
 * copied whole.
 */
public final class JsonEscaper {

    private static final byte[][] ESCAPES = new byte[0x5d][];

    static {
        for (int c = 0; c < 0x20; c++) {
            ESCAPES[c] = String.format("\\u%04X", c).getBytes(StandardCharsets.US_ASCII);
        }
        ESCAPES['\b'] = new byte[] {'\\', 'b'};
        ESCAPES['\t'] = new byte[] {'\\', 't'};
        ESCAPES['\n'] = new byte[] {'\\', 'n'};
        ESCAPES['\f'] = new byte[] {'\\', 'f'};
        ESCAPES['\r'] = new byte[] {'\\', 'r'};
        ESCAPES['"'] = new byte[] {'\\', '"'};
        ESCAPES['\\'] = new byte[] {'\\', '\\'};
    }

    private JsonEscaper() {}

    /** Appends {@code utf8}'s readable bytes, escaped, to {@code out}; {@code utf8} is left as it is. */
    public static void escape(ByteBuf utf8, ChunkedBuffer out) {
        Scratch scratch = Scratch.get();
        for (int index = utf8.readerIndex(), end = utf8.writerIndex(); index < end; ) {
            int length = scratch.load(utf8, index, end);
            out.write(scratch.output, 0, escape(scratch.input, length, scratch.output));
            index += length;
        }
    }

    /** Writes {@code in[0, length)} escaped into {@code out}, which has room for six times as much; how much. */
    private static int escape(byte[] in, int length, byte[] out) {
        int written = 0;
        int run = 0;
        int i = 0;
        while (i < length) {
            if (length - i >= Long.BYTES) {
                long flagged = needsEscaping(Scratch.word(in, i));
                if (flagged == 0) {
                    i += Long.BYTES;
                    continue;
                }
                i += Long.numberOfTrailingZeros(flagged) >>> 3; // the lowest flag is always a true one
            } else if (escapeOf(in[i]) == null) {
                i++;
                continue;
            }
            System.arraycopy(in, run, out, written, i - run);
            written += i - run;
            byte[] escape = escapeOf(in[i]);
            System.arraycopy(escape, 0, out, written, escape.length);
            written += escape.length;
            run = ++i;
        }
        System.arraycopy(in, run, out, written, length - run);
        return written + length - run;
    }

    private static byte[] escapeOf(byte b) {
        return b >= 0 && b < ESCAPES.length ? ESCAPES[b] : null;
    }

    /**
     * The high bit of each byte of {@code word} that is below 0x20, a quote or a backslash, and perhaps of some
     * bytes above such a one (borrows run upwards), never below. Bytes of 0x80 and above are never flagged.
     */
    private static long needsEscaping(long word) {
        long control = word - 0x20 * Scratch.ONES & ~word & Scratch.HIGH_BITS;
        long quote = Scratch.zeroBytes(word ^ '"' * Scratch.ONES);
        long backslash = Scratch.zeroBytes(word ^ '\\' * Scratch.ONES);
        return control | quote | backslash;
    }
}
