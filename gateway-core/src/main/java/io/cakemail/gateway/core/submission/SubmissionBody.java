package io.cakemail.gateway.core.submission;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * The {@code SubmitEmail} JSON of one message, serialised once. Each recipient's request body is a small prefix
 * ({@code {"email":"..."}, }) followed by the rest. Up to {@value #COPY_LIMIT} octets, the rest is copied behind the
 * prefix into one direct buffer: cheaper to write than a composite, which the socket would copy anyway. Beyond, it
 * is a shared, read-only view, so fanning a large message out to N recipients copies nothing. Owns its buffers:
 * {@link #release()} when every request is sent.
 */
public final class SubmissionBody {

    /** One HTTP/2 DATA frame at the default maximum frame size. */
    static final int COPY_LIMIT = 16 * 1024;

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
        int from = tail.readerIndex() + 1;  // after the opening brace, which the prefix replaces
        int shared = sharedSize();
        if (shared <= COPY_LIMIT) {
            return allocator.directBuffer(prefix.length + shared).writeBytes(prefix).writeBytes(tail, from, shared);
        }
        CompositeByteBuf body = allocator.compositeDirectBuffer(2);
        body.addComponent(true, allocator.directBuffer(prefix.length).writeBytes(prefix));
        body.addComponent(true, tail.retainedSlice(from, shared).asReadOnly());
        return body;
    }

    /** The octets every recipient's body has after its own prefix: the JSON after its opening brace. */
    public int sharedSize() {
        return tail.readableBytes() - 1;
    }

    public void release() {
        tail.release();
    }
}
