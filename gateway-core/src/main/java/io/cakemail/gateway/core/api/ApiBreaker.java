package io.cakemail.gateway.core.api;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The circuit breaker over the last submissions (Resilience4j): it answers at once while the API is failing broadly.
 * It judges the API, not a recipient and not an account: a recipient's failures count towards opening it once per
 * {@value #FAILING_RECIPIENT_MINUTES} minute, so one address the API always refuses, retried by its client, never opens
 * it for everyone else, while an outage, which fails every recipient, opens it within a window of calls; and a try
 * that failed on the account's credentials gives no verdict at all. Opening and closing are logged.
 */
final class ApiBreaker {

    private static final Logger log = LogManager.getLogger(Submitter.class);
    private static final int FAILING_RECIPIENT_MINUTES = 1;

    private final CircuitBreaker breaker;
    /** Recipients whose failure the breaker has counted lately. */
    private final Cache<String, Boolean> failingRecipients;

    ApiBreaker(ApiConfig config, Ticker ticker) {
        breaker = CircuitBreaker.of(
                "cakemail-api",
                CircuitBreakerConfig.custom()
                        .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                        .slidingWindowSize(config.breakerWindow())
                        .minimumNumberOfCalls(config.breakerMinimumCalls())
                        .failureRateThreshold(config.breakerFailureRate())
                        .waitDurationInOpenState(config.breakerOpenDuration())
                        .permittedNumberOfCallsInHalfOpenState(3)
                        .clock(new TickerClock(ticker))
                        .build());
        breaker.getEventPublisher().onStateTransition(event -> {
            CircuitBreaker.StateTransition transition = event.getStateTransition();
            if (transition.getToState() == CircuitBreaker.State.OPEN) {
                log.warn(
                        "Circuit breaker open: the Cakemail API failed {}% of the last calls; messages are deferred for"
                                + " {}s",
                        Math.round(breaker.getMetrics().getFailureRate()),
                        config.breakerOpenDuration().toSeconds());
            } else {
                log.info("Circuit breaker {} -> {}", transition.getFromState(), transition.getToState());
            }
        });
        failingRecipients = Caffeine.newBuilder()
                .ticker(ticker)
                .expireAfterWrite(Duration.ofMinutes(FAILING_RECIPIENT_MINUTES))
                .maximumSize(100_000)
                .executor(Runnable::run)
                .build();
    }

    CircuitBreaker.State state() {
        return breaker.getState();
    }

    /** The permission for one try to {@code recipient}, or {@code null} while the breaker is open. */
    Verdict permit(String recipient) {
        return breaker.tryAcquirePermission() ? new Verdict(recipient) : null;
    }

    /**
     * The verdict on one try, given once: a success, a failure, or none (the try said nothing of the API's health,
     * and its permission goes back). A failure counts once a minute per recipient; a repeated one goes back without a
     * verdict.
     */
    final class Verdict {
        private final String recipient;
        private final long start = System.nanoTime();
        private boolean given;

        private Verdict(String recipient) {
            this.recipient = recipient;
        }

        void success() {
            if (give()) {
                breaker.onSuccess(System.nanoTime() - start, TimeUnit.NANOSECONDS);
            }
        }

        void failure(Throwable error) {
            if (!give()) {
                return;
            }
            if (failingRecipients.asMap().putIfAbsent(recipient.toLowerCase(Locale.ROOT), Boolean.TRUE) == null) {
                breaker.onError(System.nanoTime() - start, TimeUnit.NANOSECONDS, error);
            } else {
                breaker.releasePermission();
            }
        }

        void none() {
            if (give()) {
                breaker.releasePermission();
            }
        }

        private boolean give() {
            boolean first = !given;
            given = true;
            return first;
        }
    }
}
