package io.cakemail.gateway.core.mime;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Whether bytes fed in any number of pieces are well-formed UTF-8: no overlong forms, surrogates, values past
 * U+10FFFF or sequences cut short. A sequence may straddle two pieces. ASCII runs are skipped eight bytes at a time.
 * It also tells whether the bytes hold at least one well-formed multi-byte sequence, malformed ones around it or not
 * (what a lenient decoder would turn into a character that is not ASCII), resuming after a malformed sequence at the
 * byte that broke it, as the JDK's decoder does.
 */
public final class Utf8Validator {

    private static final long HIGH_BITS = 0x8080808080808080L;
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.nativeOrder());

    /** Continuation bytes the current sequence still needs. */
    private int pending;

    private int code;
    private int min;
    private boolean malformed;
    private boolean multiByte;

    /** Whether {@code bytes[from, to)} is well-formed UTF-8. */
    public static boolean isValid(byte[] bytes, int from, int to) {
        Utf8Validator validator = new Utf8Validator();
        validator.update(bytes, from, to);
        return validator.isValid();
    }

    /** Checks {@code bytes[from, to)}, the next piece. */
    public void update(byte[] bytes, int from, int to) {
        int i = from;
        while (i < to && !(malformed && multiByte)) {
            if (pending == 0 && to - i >= Long.BYTES && ((long) LONGS.get(bytes, i) & HIGH_BITS) == 0) {
                i += Long.BYTES;
            } else {
                accept(bytes[i++]);
            }
        }
    }

    /** Whether everything so far is well-formed and no sequence is left open. */
    public boolean isValid() {
        return !malformed && pending == 0;
    }

    /** Whether a well-formed sequence of two to four bytes was seen, whatever else was. */
    public boolean hasMultiByteSequence() {
        return multiByte;
    }

    private void accept(byte value) {
        int b = value & 0xff;
        if (pending > 0) {
            if ((b & 0xc0) != 0x80) {
                malformed = true;
                pending = 0;
                if (b >= 0x80) {
                    start(b);
                }
                return;
            }
            code = code << 6 | b & 0x3f;
            if (--pending == 0) {
                if (code < min || code > 0x10ffff || code >= 0xd800 && code <= 0xdfff) {
                    malformed = true;
                } else {
                    multiByte = true;
                }
            }
        } else if (b >= 0x80) {
            start(b);
        }
    }

    private void start(int b) {
        if (b >= 0xc2 && b <= 0xdf) {
            pending = 1;
            min = 0x80;
        } else if (b >= 0xe0 && b <= 0xef) {
            pending = 2;
            min = 0x800;
        } else if (b >= 0xf0 && b <= 0xf4) {
            pending = 3;
            min = 0x10000;
        } else {
            malformed = true;
            return;
        }
        code = b & 0x3f >> pending;
    }
}
