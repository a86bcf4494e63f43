package io.cakemail.gateway.core.memory;

import io.cakemail.gateway.common.SessionLog;
import io.cakemail.gateway.core.json.SubmissionBody;
import io.cakemail.gateway.core.transform.ParsedMessage;
import io.cakemail.gateway.core.transform.Refusal;
import io.cakemail.gateway.core.transform.RefusalException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.util.AbstractReferenceCounted;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One message's draw on its {@link MemoryBudget}: every buffer of the message's content is charged here before it
 * is allocated, and the charge goes back to the budget when the last holder releases this object (the transformer,
 * then the {@link ParsedMessage} and the {@link SubmissionBody}), when the message's buffers are gone. A buffer freed
 * earlier may be credited at once ({@link #credit}).
 *
 * <p>A charge that does not fit throws a {@link RefusalException}: too large when the message alone would
 * need more than the whole budget, no room now (try again later) otherwise. Charges may come from several threads (the message's
 * requests go out on the API connections' event loops).
 */
public final class MessageMemory extends AbstractReferenceCounted {

    /** Refusals a burst of mail can repeat at will: the gateway's logging configuration rate-limits this logger. */
    private static final SessionLog limits = SessionLog.of("io.cakemail.gateway.limits");

    private final MemoryBudget budget;
    private final ByteBufAllocator allocator;
    private final String session;
    private final AtomicLong held = new AtomicLong();

    MessageMemory(MemoryBudget budget, ByteBufAllocator allocator, String session) {
        this.budget = budget;
        this.allocator = allocator;
        this.session = session;
    }

    /** A message with no budget, of no session: nothing is counted. */
    public static MessageMemory unlimited(ByteBufAllocator allocator) {
        return MemoryBudget.UNLIMITED.newMessage(allocator, "-");
    }

    /** The id of the SMTP session the message belongs to, which the log lines about it carry. */
    public String session() {
        return session;
    }

    public ByteBufAllocator allocator() {
        return allocator;
    }

    /** The octets this message holds now. */
    public long held() {
        return held.get();
    }

    /** A buffer of exactly {@code capacity} octets, charged first; nothing stays charged if the allocation fails. */
    ByteBuf buffer(int capacity) {
        charge(capacity);
        try {
            return allocator.buffer(capacity, capacity);
        } catch (Throwable e) {
            credit(capacity);
            throw e;
        }
    }

    /** A composite of {@code parts}, which it takes over; they are released if it cannot be made. */
    public CompositeByteBuf composite(ByteBuf... parts) {
        CompositeByteBuf composite;
        try {
            composite = allocator.compositeBuffer(Math.max(2, parts.length));
        } catch (Throwable e) {
            for (ByteBuf part : parts) {
                ReferenceCountUtil.safeRelease(part);
            }
            throw e;
        }
        return composite.addComponents(true, parts);
    }

    /**
     * Counts {@code bytes} this message is about to hold.
     *
     * @throws RefusalException when they do not fit
     */
    public void charge(long bytes) {
        if (budget.isUnlimited()) {
            return;
        }
        long after = held.addAndGet(bytes);
        if (after > budget.capacity()) {
            held.addAndGet(-bytes);
            limits.info(
                    session,
                    "A message needs more than the whole memory budget for content ({} octets): refused as too large",
                    budget.capacity());
            throw new RefusalException(Refusal.tooLarge("the message needs more memory than this gateway's whole"
                    + " budget for content (" + budget.capacity() + " octets)"));
        }
        if (!budget.tryReserve(bytes)) {
            held.addAndGet(-bytes);
            limits.info(
                    session,
                    "Memory budget for content full ({} of {} octets held): a message is refused for now",
                    budget.used(),
                    budget.capacity());
            throw new RefusalException(Refusal.NO_STORAGE);
        }
    }

    /** Gives back {@code bytes} of what was charged, freed before the message ends. */
    public void credit(long bytes) {
        if (!budget.isUnlimited()) {
            held.addAndGet(-bytes);
            budget.release(bytes);
        }
    }

    @Override
    public MessageMemory retain() {
        super.retain();
        return this;
    }

    @Override
    public MessageMemory touch(Object hint) {
        return this;
    }

    @Override
    protected void deallocate() {
        credit(held.get());
    }
}
