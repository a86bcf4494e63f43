package io.cakemail.gateway.core.mime;

import io.netty.buffer.ByteBuf;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;

/**
 * A lenient streaming base64 decoder: characters outside the alphabet (line breaks, stray garbage) are skipped, a
 * missing final padding is tolerated, and {@code =} ends the current group wherever it comes, as mail clients do.
 */
final class Base64Decoder implements TransferDecoder {

    private static final int SKIP = -1;
    private static final int PAD = -2;
    private static final byte[] VALUES = new byte[256];

    static {
        Arrays.fill(VALUES, (byte) SKIP);
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        for (int i = 0; i < alphabet.length(); i++) {
            VALUES[alphabet.charAt(i)] = (byte) i;
        }
        VALUES['-'] = 62; // base64url, seen from some generators
        VALUES['_'] = 63;
        VALUES['='] = (byte) PAD;
    }

    private final byte[] input;
    private final byte[] output;
    private int bits;
    private int count;

    Base64Decoder(DecoderBuffers buffers) {
        this.input = buffers.input;
        this.output = buffers.output;
    }

    @Override
    public void decode(ByteBuf in, int from, int to, ByteBuf out) {
        while (from < to) {
            int length = Math.min(input.length, to - from);
            in.getBytes(from, input, 0, length);
            out.writeBytes(output, 0, decode(input, 0, length));
            from += length;
        }
    }

    @Override
    public void decode(byte b, ByteBuf out) {
        input[0] = b;
        out.writeBytes(output, 0, decode(input, 0, 1));
    }

    @Override
    public void finish(ByteBuf out) {
        out.writeBytes(output, 0, flushGroup(0));
    }

    /** Decodes a whole base64 string (an RFC 2047 B word) into {@code out}, with the same leniency. */
    static void decodeLenient(String text, ByteArrayOutputStream out) {
        int bits = 0;
        int count = 0;
        for (int i = 0; i <= text.length(); i++) {
            int value = i == text.length() ? PAD : VALUES[text.charAt(i) & 0xff];
            if (value >= 0) {
                bits = bits << 6 | value;
                if (++count == 4) {
                    out.write(bits >> 16);
                    out.write(bits >> 8);
                    out.write(bits);
                    bits = 0;
                    count = 0;
                }
            } else if (value == PAD) {
                if (count == 2) {
                    out.write(bits >> 4);
                } else if (count == 3) {
                    out.write(bits >> 10);
                    out.write(bits >> 2);
                }
                bits = 0;
                count = 0;
            }
        }
    }

    private int decode(byte[] in, int offset, int length) {
        int written = 0;
        int b = bits;
        int c = count;
        byte[] out = output;
        for (int i = offset; i < offset + length; i++) {
            int value = VALUES[in[i] & 0xff];
            if (value >= 0) {
                b = b << 6 | value;
                if (++c == 4) {
                    out[written] = (byte) (b >> 16);
                    out[written + 1] = (byte) (b >> 8);
                    out[written + 2] = (byte) b;
                    written += 3;
                    b = 0;
                    c = 0;
                }
            } else if (value == PAD) {
                bits = b;
                count = c;
                written = flushGroup(written);
                b = 0;
                c = 0;
            }
        }
        bits = b;
        count = c;
        return written;
    }

    /** Writes the bytes of an incomplete group (2 or 3 characters) at {@code written}. */
    private int flushGroup(int written) {
        if (count == 2) {
            output[written++] = (byte) (bits >> 4);
        } else if (count == 3) {
            output[written++] = (byte) (bits >> 10);
            output[written++] = (byte) (bits >> 2);
        }
        bits = 0;
        count = 0;
        return written;
    }
}
