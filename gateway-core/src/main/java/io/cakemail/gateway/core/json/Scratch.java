package io.cakemail.gateway.core.json;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.FastThreadLocal;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Per-thread arrays that a block of a buffer is copied into, to be worked on with plain array loops: one bulk copy
 * in and one out instead of a buffer call per byte, word or run. Not reentrant: a user is done with them before it
 * calls anything that may use them.
 */
public final class Scratch {

    /** Octets of input taken at a time. */
    public static final int BLOCK = 2048;
    /** Room for a block that grows sixfold, the most any user makes of one octet ({@code \u001f}). */
    public static final int OUTPUT = BLOCK * 6;

    /** One in each byte of a word: {@code ONES * b} is {@code b} in every byte. */
    public static final long ONES = 0x0101010101010101L;

    public static final long HIGH_BITS = 0x8080808080808080L;
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final FastThreadLocal<Scratch> PER_THREAD = new FastThreadLocal<>() {
        @Override
        protected Scratch initialValue() {
            return new Scratch();
        }
    };

    public final byte[] input = new byte[BLOCK];
    public final byte[] output = new byte[OUTPUT];

    private Scratch() {}

    public static Scratch get() {
        return PER_THREAD.get();
    }

    /** Copies up to {@link #BLOCK} octets of {@code source} from {@code index} into {@link #input}; how many. */
    public int load(ByteBuf source, int index, int end) {
        int length = Math.min(BLOCK, end - index);
        source.getBytes(index, input, 0, length);
        return length;
    }

    /** The index of the first {@code value} in {@code bytes[from, to)}, or -1; eight octets at a time. */
    public static int indexOf(byte[] bytes, int from, int to, byte value) {
        long pattern = (value & 0xffL) * ONES;
        int i = from;
        for (; to - i >= Long.BYTES; i += Long.BYTES) {
            long zeros = zeroBytes(word(bytes, i) ^ pattern); // the lowest flag is always a true one
            if (zeros != 0) {
                return i + (Long.numberOfTrailingZeros(zeros) >>> 3);
            }
        }
        for (; i < to; i++) {
            if (bytes[i] == value) {
                return i;
            }
        }
        return -1;
    }

    /**
     * The high bit of each zero byte of {@code word}, and perhaps of some bytes above one (borrows run upwards),
     * never below.
     */
    public static long zeroBytes(long word) {
        return word - ONES & ~word & HIGH_BITS;
    }

    /** The eight octets of {@code bytes} from {@code index}, the first in the lowest bits. */
    public static long word(byte[] bytes, int index) {
        return (long) LONGS.get(bytes, index);
    }
}
