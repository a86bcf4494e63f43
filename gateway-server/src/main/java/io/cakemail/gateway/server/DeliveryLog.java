package io.cakemail.gateway.server;

import io.cakemail.gateway.core.api.Delivery;
import io.cakemail.gateway.core.api.RecipientOutcome;
import io.cakemail.gateway.smtp.Envelope;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.apache.logging.log4j.message.StringMapMessage;

/**
 * Records what happened to each recipient: a structured {@code dead-letter} event for every recipient the API
 * refused while others of the same message were queued (the client got a 250 and will not retry them), and the
 * counters {@code gateway.recipients} (tag {@code outcome}: queued, refused, deferred) and
 * {@code gateway.dead.letters}.
 */
final class DeliveryLog {

    private static final Logger deadLetters = LogManager.getLogger("io.cakemail.gateway.dead-letter");

    private final Counter queued;
    private final Counter refused;
    private final Counter deferred;
    private final Counter deadLettered;

    DeliveryLog(MeterRegistry registry) {
        queued = outcome(registry, "queued");
        refused = outcome(registry, "refused");
        deferred = outcome(registry, "deferred");
        deadLettered = Counter.builder("gateway.dead.letters")
                              .description("Recipients refused by the API in a message accepted for others")
                              .register(registry);
    }

    private static Counter outcome(MeterRegistry registry, String outcome) {
        return Counter.builder("gateway.recipients").tag("outcome", outcome)
                      .description("Recipients by outcome of their submission").register(registry);
    }

    void record(Envelope envelope, Delivery delivery) {
        if (!(delivery instanceof Delivery.Submitted submitted)) {
            return;
        }
        boolean anyQueued = submitted.outcomes().stream().anyMatch(RecipientOutcome.Queued.class::isInstance);
        boolean anyDeferred = submitted.outcomes().stream().anyMatch(RecipientOutcome.Deferred.class::isInstance);
        for (RecipientOutcome outcome : submitted.outcomes()) {
            if (outcome instanceof RecipientOutcome.Queued) {
                queued.increment();
            } else if (outcome instanceof RecipientOutcome.Deferred) {
                deferred.increment();
            } else if (outcome instanceof RecipientOutcome.Refused refusal) {
                refused.increment();
                if (anyQueued && !anyDeferred) {
                    deadLettered.increment();
                    deadLetters.warn(new StringMapMessage()
                            .with("event", "dead-letter")
                            .with("recipient", refusal.recipient())
                            .with("sender", String.valueOf(envelope.sender()))
                            .with("account", envelope.principal() == null ? "" : envelope.principal().getName())
                            .with("status", refusal.status())
                            .with("reason", refusal.reason()));
                }
            }
        }
    }
}
