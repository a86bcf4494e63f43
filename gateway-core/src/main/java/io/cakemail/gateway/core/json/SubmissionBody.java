package io.cakemail.gateway.core.json;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.cakemail.gateway.core.memory.MessageMemory;
import io.cakemail.gateway.core.transform.RefusalException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;

/**
 * The {@code SubmitEmail} JSON of one message, serialised once. Each recipient's request body is a small prefix
 * ({@code {"email":"..."}, }) followed by the rest. Up to {@value #COPY_LIMIT} octets, the rest is copied behind the
 * prefix into one direct buffer: cheaper to write than a composite, which the socket would copy anyway. Beyond, it
 * is a shared, read-only view, so fanning a large message out to N recipients copies nothing. Owns its buffers and a
 * reference to the message's memory: {@link #release()} when every request is sent.
 */
public final class SubmissionBody {

    /** One HTTP/2 DATA frame at the default maximum frame size. */
    public static final int COPY_LIMIT = 16 * 1024;
    /** Room for a recipient's prefix: an address as long as RFC 5321 allows, escaped, and the JSON around it. */
    private static final int PREFIX_ALLOWANCE = 320;

    private final ByteBuf tail;
    private final MessageMemory memory;

    /** @param json the whole object without {@code email}, starting with {@code {}, which this object now owns */
    SubmissionBody(ByteBuf json, MessageMemory memory) {
        if (json.readableBytes() < 2 || json.getByte(json.readerIndex()) != '{') {
            json.release();
            throw new IllegalArgumentException("json: not an object");
        }
        this.tail = json;
        this.memory = memory.retain();
    }

    /**
     * Charges the message's memory for the request bodies of {@code recipients} recipients all in flight at once,
     * as the submitter sends them: a copy of the JSON each, for a small message, and a prefix each otherwise.
     *
     * @throws RefusalException when the memory budget has no room for them
     */
    public void reserveFanOut(int recipients) {
        int perRecipient = PREFIX_ALLOWANCE + (sharedSize() <= COPY_LIMIT ? sharedSize() : 0);
        memory.charge((long) recipients * perRecipient);
    }

    /** The request body for {@code email}; the caller releases it. */
    public ByteBuf forRecipient(String email) {
        byte[] prefix = ("{\"email\":\""
                        + new String(JsonStringEncoder.getInstance().quoteAsString(email)) + "\",")
                .getBytes(StandardCharsets.UTF_8);
        int from = tail.readerIndex() + 1; // after the opening brace, which the prefix replaces
        int shared = sharedSize();
        ByteBufAllocator allocator = memory.allocator();
        if (shared <= COPY_LIMIT) {
            return allocator
                    .directBuffer(prefix.length + shared)
                    .writeBytes(prefix)
                    .writeBytes(tail, from, shared);
        }
        ByteBuf head = allocator.directBuffer(prefix.length).writeBytes(prefix);
        return memory.composite(head, tail.retainedSlice(from, shared).asReadOnly());
    }

    /** The octets every recipient's body has after its own prefix: the JSON after its opening brace. */
    public int sharedSize() {
        return tail.readableBytes() - 1;
    }

    public void release() {
        tail.release();
        memory.release();
    }
}
