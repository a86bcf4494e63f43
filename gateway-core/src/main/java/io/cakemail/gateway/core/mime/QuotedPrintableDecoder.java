package io.cakemail.gateway.core.mime;

import io.netty.buffer.ByteBuf;

/**
 * A streaming quoted-printable decoder (RFC 2045 6.7): {@code =XY} octets, {@code =} soft line breaks (also with
 * padding before the line break or a bare LF), trailing whitespace of a line removed. Malformed escapes are kept
 * literally, as mail clients show them. Works on arrays, with a fast path for literal text.
 */
final class QuotedPrintableDecoder implements TransferDecoder {

    private static final int BLOCK = DecoderBuffers.BLOCK;
    private static final int MAX_PENDING_WHITESPACE = 256;

    private enum State {
        TEXT,
        EQUALS,
        EQUALS_HEX,
        EQUALS_WHITESPACE,
        SOFT_BREAK_CR
    }

    private final byte[] input;
    private final byte[] output;
    private final byte[] whitespace = new byte[MAX_PENDING_WHITESPACE];
    private int whitespaceCount;
    private State state = State.TEXT;
    private byte firstHex;

    QuotedPrintableDecoder(DecoderBuffers buffers) {
        this.input = buffers.input;
        this.output = buffers.output;
    }

    @Override
    public void decode(ByteBuf in, int from, int to, ByteBuf out) {
        for (; from < to; from += BLOCK) {
            int length = Math.min(BLOCK, to - from);
            in.getBytes(from, input, 0, length);
            int written = 0;
            for (int i = 0; i < length; ) {
                byte b = input[i];
                if (state == State.TEXT && b > ' ' && b != '=' && whitespaceCount == 0) {
                    output[written++] = b; // the common case: a literal character
                    i++;
                    continue;
                }
                int result = step(b, written);
                if (result >= 0) {
                    written = result;
                    i++;
                } else {
                    written = -result - 1; // b must be looked at again in the new state
                }
                if (written > BLOCK) {
                    out.writeBytes(output, 0, written);
                    written = 0;
                }
            }
            out.writeBytes(output, 0, written);
        }
    }

    @Override
    public void decode(byte b, ByteBuf out) {
        int written = 0;
        int result;
        while ((result = step(b, written)) < 0) {
            written = -result - 1;
        }
        out.writeBytes(output, 0, result);
    }

    @Override
    public void finish(ByteBuf out) {
        if (state == State.EQUALS || state == State.EQUALS_WHITESPACE) {
            out.writeByte('='); // the padding after it ends the content, so it goes like trailing whitespace
        } else if (state == State.EQUALS_HEX) {
            out.writeByte('=').writeByte(firstHex);
        }
        whitespaceCount = 0; // trailing whitespace at the end of the content ends a line too
        state = State.TEXT;
    }

    /**
     * Processes {@code b}, writing at {@code written}; returns the new write position, or {@code -(position) - 1}
     * when {@code b} must be processed again in the new state.
     */
    private int step(byte b, int written) {
        switch (state) {
            case TEXT -> {
                if (b == '=') {
                    written = flushWhitespace(written);
                    state = State.EQUALS;
                } else if (b == ' ' || b == '\t') {
                    if (whitespaceCount == whitespace.length) {
                        written = flushWhitespace(written);
                    }
                    whitespace[whitespaceCount++] = b;
                } else if (b == '\r' || b == '\n') {
                    whitespaceCount = 0;
                    output[written++] = b;
                } else {
                    written = flushWhitespace(written);
                    output[written++] = b;
                }
                return written;
            }
            case EQUALS -> {
                if (Character.digit(b, 16) >= 0) {
                    firstHex = b;
                    state = State.EQUALS_HEX;
                } else if (b == '\r') {
                    state = State.SOFT_BREAK_CR;
                } else if (b == '\n') {
                    state = State.TEXT;
                } else if (b == ' ' || b == '\t') {
                    whitespace[whitespaceCount++] = b;
                    state = State.EQUALS_WHITESPACE;
                } else {
                    output[written++] = '=';
                    state = State.TEXT;
                    return -written - 1;
                }
                return written;
            }
            case EQUALS_WHITESPACE -> {
                if (b == ' ' || b == '\t') {
                    if (whitespaceCount < whitespace.length) {
                        whitespace[whitespaceCount++] = b;
                    }
                    return written;
                }
                if (b == '\r' || b == '\n') {
                    whitespaceCount = 0; // padding before a soft line break
                    state = b == '\r' ? State.SOFT_BREAK_CR : State.TEXT;
                    return written;
                }
                output[written++] = '=';
                written = flushWhitespace(written);
                state = State.TEXT;
                return -written - 1;
            }
            case EQUALS_HEX -> {
                state = State.TEXT;
                if (Character.digit(b, 16) >= 0) {
                    output[written++] = (byte) (Character.digit(firstHex, 16) << 4 | Character.digit(b, 16));
                    return written;
                }
                output[written++] = '=';
                output[written++] = firstHex;
                return -written - 1;
            }
            case SOFT_BREAK_CR -> {
                state = State.TEXT;
                return b == '\n' ? written : -written - 1;
            }
            default -> throw new IllegalStateException(state.name());
        }
    }

    private int flushWhitespace(int written) {
        System.arraycopy(whitespace, 0, output, written, whitespaceCount);
        written += whitespaceCount;
        whitespaceCount = 0;
        return written;
    }
}
