package io.cakemail.gateway.core.submission;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;

/**
 * Bytes appended into pooled chunks gathered in a composite buffer. Growing never copies what is already held, so
 * a 10 MiB part costs 10 MiB and not the two-buffer peak (and the copies) of a buffer that reallocates as it grows.
 * Chunks double from 4 KiB up to 64 KiB, and a part that fits in the first is that one plain buffer.
 */
final class ChunkedBuffer {

    private static final int FIRST_CHUNK = 4 * 1024;
    private static final int LARGEST_CHUNK = 64 * 1024;

    private final ByteBufAllocator allocator;
    private final boolean heap;
    private final CompositeByteBuf chunks;
    private ByteBuf tail;

    /** {@code heap}: chunks on the heap (for content read back as arrays), or the allocator's default kind. */
    ChunkedBuffer(ByteBufAllocator allocator, boolean heap) {
        this.allocator = allocator;
        this.heap = heap;
        this.chunks = heap ? allocator.compositeHeapBuffer(Integer.MAX_VALUE)
                           : allocator.compositeBuffer(Integer.MAX_VALUE);
    }

    /** Appends {@code source}'s readable bytes, leaving its reader index as it is. */
    void write(ByteBuf source) {
        for (int from = source.readerIndex(), to = source.writerIndex(); from < to; ) {
            ByteBuf chunk = writableTail();
            int length = Math.min(chunk.writableBytes(), to - from);
            chunk.writeBytes(source, from, length);
            from += length;
        }
    }

    void write(byte[] source, int offset, int length) {
        for (int from = offset, to = offset + length; from < to; ) {
            ByteBuf chunk = writableTail();
            int step = Math.min(chunk.writableBytes(), to - from);
            chunk.writeBytes(source, from, step);
            from += step;
        }
    }

    /** Everything written, as one buffer the caller now owns. This object is not used again. */
    ByteBuf finish() {
        if (tail != null && chunks.numComponents() == 0) {
            chunks.release();
            return tail;
        }
        if (tail != null) {
            chunks.addComponent(true, tail);
            tail = null;
        }
        return chunks;
    }

    void release() {
        if (tail != null) {
            tail.release();
            tail = null;
        }
        chunks.release();
    }

    private ByteBuf writableTail() {
        if (tail == null || !tail.isWritable()) {
            int size = FIRST_CHUNK;
            if (tail != null) {
                chunks.addComponent(true, tail);
                size = Math.min(LARGEST_CHUNK, tail.capacity() * 2);
            }
            tail = heap ? allocator.heapBuffer(size, size) : allocator.buffer(size, size);
        }
        return tail;
    }
}
