package io.cakemail.gateway.core.memory;

import io.cakemail.gateway.common.SessionLog;
import io.cakemail.gateway.core.transform.Refusal;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.internal.PlatformDependent;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The memory that message content in flight may hold, shared by every message of a gateway: buffered body parts,
 * encoded attachments, the JSON and its per-recipient copies. Each message draws on it through its own
 * {@link MessageMemory}, charged before every allocation; a message that finds no room is refused with
 * no room now (and one that could never fit, too large) before anything is sent, instead of running
 * the process out of memory. Thread-safe.
 */
public final class MemoryBudget {

    private static final SessionLog limits = SessionLog.of("io.cakemail.gateway.limits");

    /** No limit and no accounting: for tools and tests that transform one message at a time. */
    public static final MemoryBudget UNLIMITED = new MemoryBudget(Long.MAX_VALUE);

    private final long capacity;
    private final AtomicLong used = new AtomicLong();
    private final LongAdder refusals = new LongAdder();

    /** @param capacity the octets all messages together may hold */
    public MemoryBudget(long capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity: " + capacity + " (expected: > 0)");
        }
        this.capacity = capacity;
    }

    /**
     * Half of the direct memory the JVM allows (its {@code -XX:MaxDirectMemorySize}, which defaults to the heap's
     * maximum): content is held in direct buffers, and the other half is for what is not content (socket and TLS
     * buffers, replies, the HTTP/2 connections) and for the pool's own slack.
     */
    public static long defaultCapacity() {
        return PlatformDependent.maxDirectMemory() / 2;
    }

    /**
     * What a message gets when an allocation fails outright although the budget had room: logged (the budget is
     * probably larger than the memory the JVM can give), then no room now.
     */
    public static Refusal allocationFailed(String session, OutOfMemoryError error) {
        limits.warn(
                session,
                "Memory ran out for a message ({}): refused for now; is the memory budget larger than what the JVM can"
                        + " allocate?",
                error.toString());
        return Refusal.NO_STORAGE;
    }

    /**
     * A new message's share, drawing on {@code allocator}, for a message of SMTP session {@code session}; the caller
     * owns it (it is reference-counted).
     */
    public MessageMemory newMessage(ByteBufAllocator allocator, String session) {
        return new MessageMemory(this, allocator, session);
    }

    /** The octets all messages together may hold. */
    public long capacity() {
        return capacity;
    }

    /** The octets messages hold now. */
    public long used() {
        return used.get();
    }

    /** How many times a message found no room. */
    public long refusals() {
        return refusals.sum();
    }

    boolean isUnlimited() {
        return capacity == Long.MAX_VALUE;
    }

    /** Takes {@code bytes} if they fit. */
    boolean tryReserve(long bytes) {
        for (long now = used.get(); ; now = used.get()) {
            if (now + bytes > capacity) {
                refusals.increment();
                return false;
            }
            if (used.compareAndSet(now, now + bytes)) {
                return true;
            }
        }
    }

    void release(long bytes) {
        used.addAndGet(-bytes);
    }
}
