package io.cakemail.gateway.core.transform;

import io.cakemail.gateway.core.memory.MemoryBudget;

/**
 * A message cannot go on, thrown where that is found out (an allocation that does not fit the
 * {@link MemoryBudget}, content past its size limit) and turned into the message's {@link Refusal} where the
 * message is handled. It carries no stack trace: it is a verdict, not a bug.
 */
public final class RefusalException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient Refusal refusal;

    public RefusalException(Refusal refusal) {
        super(refusal.reason(), null, false, false);
        this.refusal = refusal;
    }

    /** The reply the message gets. */
    public Refusal refusal() {
        return refusal;
    }
}
