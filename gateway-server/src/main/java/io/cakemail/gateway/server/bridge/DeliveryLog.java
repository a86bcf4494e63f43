package io.cakemail.gateway.server.bridge;

import io.cakemail.gateway.common.SessionMessage;
import io.cakemail.gateway.core.api.Delivery;
import io.cakemail.gateway.core.api.RecipientOutcome;
import io.cakemail.gateway.smtp.Envelope;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.StringJoiner;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Records what happened to each recipient: a structured {@code dead-letter} event for every recipient the API
 * refused while others of the same message were queued (the client got a 250 and will not retry them), and the
 * counters {@code gateway.recipients} (tag {@code outcome}: queued, refused, deferred, in_doubt), {@code gateway.dead.letters}
 * and {@code smtp.emails.forwarded} (one per recipient the API accepted, as the seed product counted).
 */
public final class DeliveryLog {

    private static final Logger deadLetters = LogManager.getLogger("io.cakemail.gateway.dead-letter");

    private final Counter queued;
    private final Counter refused;
    private final Counter deferred;
    private final Counter inDoubt;
    private final Counter forwarded;
    private final Counter deadLettered;

    public DeliveryLog(MeterRegistry registry) {
        queued = outcome(registry, "queued");
        refused = outcome(registry, "refused");
        deferred = outcome(registry, "deferred");
        inDoubt = outcome(registry, "in_doubt");
        forwarded = Counter.builder("smtp.emails.forwarded")
                .description("Recipients the Cakemail API accepted")
                .register(registry);
        deadLettered = Counter.builder("gateway.dead.letters")
                .description("Recipients refused by the API in a message accepted for others")
                .register(registry);
    }

    private static Counter outcome(MeterRegistry registry, String outcome) {
        return Counter.builder("gateway.recipients")
                .tag("outcome", outcome)
                .description("Recipients by outcome of their submission")
                .register(registry);
    }

    void record(Envelope envelope, Delivery delivery) {
        if (!(delivery instanceof Delivery.Submitted submitted)) {
            return;
        }
        int queuedCount = 0;
        int deferredCount = 0;
        int inDoubtCount = 0;
        int refusedCount = 0;
        for (RecipientOutcome outcome : submitted.outcomes()) {
            if (outcome instanceof RecipientOutcome.Queued) {
                queuedCount++;
            } else if (outcome instanceof RecipientOutcome.Deferred) {
                deferredCount++;
            } else if (outcome instanceof RecipientOutcome.InDoubt) {
                inDoubtCount++;
            } else if (outcome instanceof RecipientOutcome.Refused) {
                refusedCount++;
            }
        }
        queued.increment(queuedCount);
        forwarded.increment(queuedCount);
        deferred.increment(deferredCount);
        inDoubt.increment(inDoubtCount);
        refused.increment(refusedCount);
        if (refusedCount > 0 && queuedCount > 0 && deferredCount + inDoubtCount == 0) {
            for (RecipientOutcome outcome : submitted.outcomes()) {
                if (outcome instanceof RecipientOutcome.Refused refusal) {
                    deadLetter(envelope, refusal);
                }
            }
        }
    }

    /**
     * The recipients of {@code delivery} by outcome, for the message's log line: {@code recipients.queued} as
     * {@code address=email-id} pairs, {@code recipients.refused} and {@code recipients.deferred} as
     * {@code address=status} or addresses; or {@code delivery.outcome} when nothing was submitted.
     */
    static void describe(Delivery delivery, SessionMessage line) {
        if (!(delivery instanceof Delivery.Submitted submitted)) {
            line.field("delivery.outcome", delivery.getClass().getSimpleName());
            return;
        }
        StringJoiner queued = new StringJoiner(",");
        StringJoiner refused = new StringJoiner(",");
        StringJoiner deferred = new StringJoiner(",");
        StringJoiner inDoubt = new StringJoiner(",");
        for (RecipientOutcome outcome : submitted.outcomes()) {
            if (outcome instanceof RecipientOutcome.Queued ok) {
                queued.add(ok.recipient() + "=" + ok.emailId());
            } else if (outcome instanceof RecipientOutcome.Refused no) {
                refused.add(no.recipient() + "=" + no.status());
            } else if (outcome instanceof RecipientOutcome.Deferred later) {
                deferred.add(later.recipient());
            } else if (outcome instanceof RecipientOutcome.InDoubt doubt) {
                inDoubt.add(doubt.recipient());
            }
        }
        addIfAny(line, "recipients.queued", queued);
        addIfAny(line, "recipients.refused", refused);
        addIfAny(line, "recipients.deferred", deferred);
        addIfAny(line, "recipients.in_doubt", inDoubt);
        if (!submitted.recorded()) {
            line.field("ledger.recorded", false);
        }
    }

    private static void addIfAny(SessionMessage line, String field, StringJoiner values) {
        if (values.length() > 0) {
            line.field(field, values);
        }
    }

    private void deadLetter(Envelope envelope, RecipientOutcome.Refused refusal) {
        deadLettered.increment();
        deadLetters.warn(new SessionMessage(
                        envelope.session(), "dead letter: the API refused a recipient of a message accepted for others")
                .field("event", "dead-letter")
                .field("recipient", refusal.recipient())
                .field("sender", String.valueOf(envelope.sender()))
                .field(
                        "account",
                        envelope.principal() == null ? "" : envelope.principal().getName())
                .field("status", refusal.status())
                .field("reason", refusal.reason()));
    }
}
