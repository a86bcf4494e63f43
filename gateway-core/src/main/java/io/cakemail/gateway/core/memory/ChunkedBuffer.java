package io.cakemail.gateway.core.memory;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import java.io.OutputStream;
import java.util.function.Consumer;

/**
 * Bytes appended into pooled chunks gathered in a composite buffer. Growing never copies what is already held, so
 * a 10 MiB part costs 10 MiB and not the two-buffer peak (and the copies) of a buffer that reallocates as it grows.
 * Chunks double from 4 KiB up to 64 KiB, and a part that fits in the first is that one plain buffer, with no
 * composite at all. Large buffers can be {@linkplain #append appended} in between without being copied. Also an
 * {@link OutputStream}, for Jackson's generator.
 *
 * <p>Each chunk is charged to the message's {@link MessageMemory} before it is allocated, so a write may throw
 * {@link InsufficientMemoryException} (or the allocator's own {@link OutOfMemoryError}); the buffer stays consistent
 * when it does, and {@link #release()} still frees exactly what it holds. The charge is credited back when this
 * object frees its chunks ({@link #drain}, {@link #release}); after {@link #finish} the caller owns them, and they
 * stay charged until the message's memory is released.
 */
public final class ChunkedBuffer extends OutputStream {

    private static final int FIRST_CHUNK = 4 * 1024;
    private static final int LARGEST_CHUNK = 64 * 1024;
    /** Below this, an appended buffer is copied: cheaper than a component to add, hold, release and write. */
    public static final int APPEND_COPY_LIMIT = 2 * 1024;

    private final MessageMemory memory;
    /** The settled chunks, once there is more than the tail; {@code null} until then. */
    private CompositeByteBuf chunks;
    /** The chunk being filled; its readable bytes are not yet in {@link #chunks}. */
    private ByteBuf tail;
    /** The octets written and appended. */
    private long size;
    /** The capacity of the chunks allocated here, charged to {@link #memory}. */
    private long charged;
    /** Whether {@link #chunks} holds appended buffers, which other owners paid for. */
    private boolean appended;

    public ChunkedBuffer(MessageMemory memory) {
        this.memory = memory;
    }

    /** The octets written and appended so far. */
    public long size() {
        return size;
    }

    /** Appends {@code source}'s readable bytes, leaving its reader index as it is. */
    public void write(ByteBuf source) {
        write(source, source.readerIndex(), source.readableBytes());
    }

    /** Appends {@code length} bytes of {@code source} from {@code index}, leaving its indexes as they are. */
    public void write(ByteBuf source, int index, int length) {
        for (int from = index, to = index + length; from < to; ) {
            ByteBuf chunk = writableTail();
            int step = Math.min(chunk.writableBytes(), to - from);
            chunk.writeBytes(source, from, step);
            from += step;
            size += step;
        }
    }

    @Override
    public void write(byte[] source, int offset, int length) {
        for (int from = offset, to = offset + length; from < to; ) {
            ByteBuf chunk = writableTail();
            int step = Math.min(chunk.writableBytes(), to - from);
            chunk.writeBytes(source, from, step);
            from += step;
            size += step;
        }
    }

    @Override
    public void write(int value) {
        writableTail().writeByte(value);
        size++;
    }

    /**
     * Adds {@code buf}'s readable bytes after what was written so far, leaving its indexes as they are: a retained
     * view, so nothing is copied, unless it is smaller than {@value #APPEND_COPY_LIMIT} octets.
     */
    public void append(ByteBuf buf) {
        if (buf.readableBytes() < APPEND_COPY_LIMIT) {
            write(buf);
            return;
        }
        settleTail();
        chunks().addComponent(true, buf.retainedDuplicate());
        appended = true;
        size += buf.readableBytes();
    }

    /** Everything written, as one buffer the caller now owns. This object is not used again. */
    public ByteBuf finish() {
        charged = 0; // the caller's from now on: charged to the message until its memory is released
        if (chunks == null) {
            ByteBuf only = tail != null ? tail : Unpooled.EMPTY_BUFFER;
            tail = null;
            return only;
        }
        settleTail();
        if (tail != null) {
            tail.release();
            tail = null;
        }
        ByteBuf all = chunks;
        chunks = null;
        return all;
    }

    /**
     * Hands each chunk to {@code consumer} in order and releases it as soon as the consumer returns, so what the
     * consumer makes of them and the chunks themselves never both exist whole. This object is not used again.
     */
    public void drain(Consumer<ByteBuf> consumer) {
        boolean creditAsDrained = !appended;
        long chunksCharge = charged;
        ByteBuf all = finish();
        charged = chunksCharge;
        try {
            if (all instanceof CompositeByteBuf composite) {
                while (composite.numComponents() > 0) {
                    ByteBuf component = composite.internalComponent(0);
                    int length = component.readableBytes();
                    consumer.accept(component);
                    composite.removeComponent(0);
                    if (creditAsDrained) {
                        credit(length);
                    }
                }
            } else {
                consumer.accept(all);
            }
        } finally {
            all.release();
            credit(charged);
        }
    }

    /** Frees what this buffer holds, when it is abandoned; after {@link #finish} or {@link #drain}, nothing. */
    public void release() {
        if (tail != null) {
            tail.release();
            tail = null;
        }
        if (chunks != null) {
            chunks.release();
            chunks = null;
        }
        credit(charged);
    }

    private void credit(long bytes) {
        long credited = Math.min(bytes, charged);
        charged -= credited;
        memory.credit(credited);
    }

    private CompositeByteBuf chunks() {
        if (chunks == null) {
            chunks = memory.allocator().compositeBuffer(Integer.MAX_VALUE);
        }
        return chunks;
    }

    /** Moves the tail's unsettled bytes into {@link #chunks} as a slice; the tail's free room stays in use. */
    private void settleTail() {
        if (tail != null && tail.isReadable()) {
            chunks().addComponent(true, tail.retainedSlice());
            tail.readerIndex(tail.writerIndex());
        }
    }

    /** The tail, or a new one when it is full; the full one is settled and released only once the new one exists. */
    private ByteBuf writableTail() {
        if (tail == null || !tail.isWritable()) {
            int capacity = tail == null ? FIRST_CHUNK : Math.min(LARGEST_CHUNK, tail.capacity() * 2);
            ByteBuf next = memory.buffer(capacity);
            charged += capacity;
            if (tail != null) {
                try {
                    settleTail();
                } catch (Throwable e) {
                    next.release();
                    credit(capacity);
                    throw e;
                }
                tail.release();
            }
            tail = next;
        }
        return tail;
    }
}
