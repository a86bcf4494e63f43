package io.cakemail.gateway.core.mime;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * The header block of the part being read, line by line, within the {@link MimeLimits} on its fields and octets.
 */
final class HeaderBlock implements AutoCloseable {

    private static final byte CR = '\r';
    private static final byte LF = '\n';

    private final MimeLimits limits;
    private final ByteBuf block;
    private int fields;

    HeaderBlock(MimeLimits limits, ByteBufAllocator allocator) {
        this.limits = limits;
        this.block = allocator.heapBuffer(Math.min(1024, limits.maxHeaderBytes()), limits.maxHeaderBytes());
    }

    /** Whether no field was read yet. */
    boolean isEmpty() {
        return fields == 0;
    }

    /**
     * Adds the line {@code [start, end)}, which ends at {@code lineEnd} (after its line break; {@code end} for a last
     * line without one, which gets a CRLF). Returns the limit it breaks, or {@code null}.
     */
    MimeViolation add(ByteBuf buf, int start, int end, int lineEnd) {
        byte first = buf.getByte(start);
        if (first != ' ' && first != '\t' && ++fields > limits.maxHeaderCount()) {
            return new MimeViolation(false, "a part has more than " + limits.maxHeaderCount() + " header fields");
        }
        boolean terminated = lineEnd > end;
        MimeViolation tooLarge = fits(terminated ? lineEnd - start : end - start + 2);
        if (tooLarge == null) {
            block.writeBytes(buf, start, end - start + (terminated ? lineEnd - end : 0));
            if (!terminated) {
                block.writeByte(CR).writeByte(LF);
            }
        }
        return tooLarge;
    }

    /** Whether {@code pending} more octets (of a line still arriving) would fit: the size limit broken, or null. */
    MimeViolation fits(int pending) {
        if (block.readableBytes() + pending > limits.maxHeaderBytes()) {
            return new MimeViolation(
                    true, "a part's header block is larger than " + limits.maxHeaderBytes() + " octets");
        }
        return null;
    }

    /** The fields read, parsed; the block starts over for the next part. */
    MimeHeaders take(ContentType defaultType) {
        MimeHeaders headers = MimeHeaders.parse(block, defaultType);
        block.clear();
        fields = 0;
        return headers;
    }

    /**
     * Whether {@code [start, end)} is a header field or the start of a folded one: a name of printable characters
     * then a colon ("Name : value", obsolete, is still seen).
     */
    static boolean isFieldOrContinuation(ByteBuf buf, int start, int end) {
        byte first = buf.getByte(start);
        if (first == ' ' || first == '\t') {
            return true;
        }
        boolean trailingSpace = false;
        for (int i = start; i < end; i++) {
            byte b = buf.getByte(i);
            if (b == ':') {
                return i > start;
            }
            if (b == ' ' || b == '\t') {
                trailingSpace = true;
            } else if (b < 33 || b > 126 || trailingSpace) {
                return false;
            }
        }
        return false;
    }

    @Override
    public void close() {
        if (block.refCnt() > 0) {
            block.release();
        }
    }
}
