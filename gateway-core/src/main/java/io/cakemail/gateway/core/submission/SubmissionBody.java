package io.cakemail.gateway.core.submission;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;

/**
 * The {@code SubmitEmail} JSON of one message, serialised once. Each recipient's request body is a small prefix
 * ({@code {"email":"..."}, }) followed by a shared, read-only view of the rest, so fanning out to N recipients copies
 * nothing. Owns its buffers: {@link #release()} when every request is sent.
 */
public final class SubmissionBody {

    private final ByteBuf tail;
    private final ByteBufAllocator allocator;

    /** @param json the whole object without {@code email}, starting with {@code {} */
    SubmissionBody(ByteBuf json, ByteBufAllocator allocator) {
        if (json.readableBytes() < 2 || json.getByte(json.readerIndex()) != '{') {
            throw new IllegalArgumentException("json: not an object");
        }
        this.tail = json;
        this.allocator = allocator;
    }

    /** The request body for {@code email}; the caller releases it. */
    public ByteBuf forRecipient(String email) {
        byte[] prefix = ("{\"email\":\"" + new String(JsonStringEncoder.getInstance().quoteAsString(email))
                         + "\",").getBytes(StandardCharsets.UTF_8);
        CompositeByteBuf body = allocator.compositeBuffer(2);
        body.addComponent(true, Unpooled.wrappedBuffer(prefix));
        body.addComponent(true, tail.retainedSlice(tail.readerIndex() + 1, tail.readableBytes() - 1).asReadOnly());
        return body;
    }

    /** The size of the shared part, in octets. */
    public int sharedSize() {
        return tail.readableBytes();
    }

    public void release() {
        tail.release();
    }
}
