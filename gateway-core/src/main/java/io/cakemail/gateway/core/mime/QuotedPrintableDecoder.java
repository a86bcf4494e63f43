package io.cakemail.gateway.core.mime;

import io.netty.buffer.ByteBuf;

/**
 * A streaming quoted-printable decoder (RFC 2045 6.7): {@code =XY} octets, {@code =} soft line breaks (also with
 * padding before the line break or a bare LF), trailing whitespace of a line removed. Malformed escapes are kept
 * literally, as mail clients show them.
 */
final class QuotedPrintableDecoder implements TransferDecoder {

    private static final int MAX_PENDING_WHITESPACE = 1024;

    private enum State { TEXT, EQUALS, EQUALS_HEX, EQUALS_WHITESPACE, SOFT_BREAK_CR }

    private final byte[] whitespace = new byte[MAX_PENDING_WHITESPACE];
    private int whitespaceCount;
    private State state = State.TEXT;
    private byte firstHex;

    @Override
    public void decode(ByteBuf in, ByteBuf out) {
        int end = in.writerIndex();
        for (int i = in.readerIndex(); i < end; ) {
            if (step(in.getByte(i), out)) {
                i++;
            }
        }
        in.readerIndex(end);
    }

    @Override
    public void finish(ByteBuf out) {
        if (state == State.EQUALS || state == State.EQUALS_WHITESPACE) {
            out.writeByte('=');  // the padding after it ends the content, so it goes like trailing whitespace
        } else if (state == State.EQUALS_HEX) {
            out.writeByte('=').writeByte(firstHex);
        }
        whitespaceCount = 0;  // trailing whitespace at the end of the content ends a line too
        state = State.TEXT;
    }

    /** Processes {@code b}; returns false when {@code b} must be processed again in the new state. */
    private boolean step(byte b, ByteBuf out) {
        switch (state) {
            case TEXT -> {
                if (b == '=') {
                    flushWhitespace(out);
                    state = State.EQUALS;
                } else if (b == ' ' || b == '\t') {
                    if (whitespaceCount == whitespace.length) {
                        flushWhitespace(out);
                    }
                    whitespace[whitespaceCount++] = b;
                } else if (b == '\r' || b == '\n') {
                    whitespaceCount = 0;
                    out.writeByte(b);
                } else {
                    flushWhitespace(out);
                    out.writeByte(b);
                }
                return true;
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
                    out.writeByte('=');
                    state = State.TEXT;
                    return false;
                }
                return true;
            }
            case EQUALS_WHITESPACE -> {
                if (b == ' ' || b == '\t') {
                    if (whitespaceCount < whitespace.length) {
                        whitespace[whitespaceCount++] = b;
                    }
                    return true;
                }
                if (b == '\r' || b == '\n') {
                    whitespaceCount = 0;  // padding before a soft line break
                    state = b == '\r' ? State.SOFT_BREAK_CR : State.TEXT;
                    return true;
                }
                out.writeByte('=');
                flushWhitespace(out);
                state = State.TEXT;
                return false;
            }
            case EQUALS_HEX -> {
                state = State.TEXT;
                if (Character.digit(b, 16) >= 0) {
                    out.writeByte(Character.digit(firstHex, 16) << 4 | Character.digit(b, 16));
                    return true;
                }
                out.writeByte('=').writeByte(firstHex);
                return false;
            }
            case SOFT_BREAK_CR -> {
                state = State.TEXT;
                return b == '\n';
            }
            default -> throw new IllegalStateException(state.name());
        }
    }

    private void flushWhitespace(ByteBuf out) {
        out.writeBytes(whitespace, 0, whitespaceCount);
        whitespaceCount = 0;
    }
}
