package io.cakemail.gateway.core.json;

import io.cakemail.gateway.core.memory.ChunkedBuffer;
import io.netty.buffer.ByteBuf;
import java.util.Arrays;
import java.util.Base64;

/**
 * Streaming base64 (RFC 4648, padded, no line breaks): input in any pieces, output appended as it is produced.
 * Whole blocks go through the JDK encoder, which the JIT turns into vector code.
 */
public final class Base64Encoder {

    private static final int BLOCK = 3 * 1024;
    private static final Base64.Encoder ENCODER = Base64.getEncoder();

    private final byte[] block = new byte[BLOCK];
    private final byte[] encoded = new byte[BLOCK / 3 * 4];
    private int filled;

    /** Encodes {@code in}'s readable bytes, leaving {@code in} as it is. */
    public void encode(ByteBuf in, ChunkedBuffer out) {
        for (int from = in.readerIndex(), to = in.writerIndex(); from < to; ) {
            int length = Math.min(BLOCK - filled, to - from);
            in.getBytes(from, block, filled, length);
            from += length;
            filled += length;
            if (filled == BLOCK) {
                out.write(encoded, 0, ENCODER.encode(block, encoded));
                filled = 0;
            }
        }
    }

    /** Encodes what is left, with padding. */
    public void finish(ChunkedBuffer out) {
        if (filled > 0) {
            byte[] last = ENCODER.encode(Arrays.copyOf(block, filled));
            out.write(last, 0, last.length);
            filled = 0;
        }
    }
}
