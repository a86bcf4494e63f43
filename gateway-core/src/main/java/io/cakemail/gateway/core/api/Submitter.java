package io.cakemail.gateway.core.api;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.cakemail.gateway.core.submission.SubmissionBody;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.timeout.ReadTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Submits one message to each of its recipients ({@code POST /v2/emails}), concurrently, all sharing the JSON
 * written once. Transient failures (timeouts, resets, 5xx, 429 with its {@code Retry-After}) are retried with
 * exponential backoff and jitter within the message's deadline; a 401 renews the token once; a circuit breaker over
 * the last calls answers at once while the API is failing. When some recipient is deferred (the client will be told
 * 451 and will retry), the recipients the API queued are remembered, so the retry does not send to them twice; a
 * message that needs no retry leaves nothing to remember.
 */
final class Submitter {

    private static final Logger log = LogManager.getLogger(Submitter.class);
    private static final String EMAILS = "/v2/emails";

    private final ApiHttp http;
    private final TokenService tokens;
    private final ApiConfig config;
    private final CircuitBreaker breaker;
    private final Cache<AcceptedKey, String> accepted;

    Submitter(ApiHttp http, TokenService tokens, ApiConfig config) {
        this.http = http;
        this.tokens = tokens;
        this.config = config;
        this.breaker = CircuitBreaker.of("cakemail-api", CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(config.breakerWindow())
                .minimumNumberOfCalls(config.breakerMinimumCalls())
                .failureRateThreshold(config.breakerFailureRate())
                .waitDurationInOpenState(config.breakerOpenDuration())
                .permittedNumberOfCallsInHalfOpenState(3)
                .build());
        this.accepted = Caffeine.newBuilder().expireAfterWrite(config.acceptedMemory())
                                .maximumSize(config.acceptedMemorySize())
                                .executor(Runnable::run)  // upkeep inline, not a hand-over to another thread per write
                                .build();
    }

    CircuitBreaker.State circuitState() {
        return breaker.getState();
    }

    /** The outcome of each recipient, in the order given. */
    Mono<List<RecipientOutcome>> submit(ApiPrincipal principal, Long accountId, SubmissionBody body,
                                        List<String> recipients, MessageKey messageKey) {
        long deadline = System.nanoTime() + config.messageDeadline().toNanos();
        String uri = accountId == null ? EMAILS : EMAILS + "?account_id=" + accountId;
        Mono<List<RecipientOutcome>> outcomes = recipients.size() == 1
                ? one(principal, accountId, uri, body, recipients.get(0), messageKey, deadline).map(List::of)
                : Flux.fromIterable(recipients)
                      .flatMapSequential(recipient -> one(principal, accountId, uri, body, recipient, messageKey,
                              deadline), Math.max(1, recipients.size()))
                      .collectList();
        return outcomes.doOnNext(list -> rememberForRetry(principal, accountId, messageKey, list));
    }

    private Mono<RecipientOutcome> one(ApiPrincipal principal, Long accountId, String uri, SubmissionBody body,
                                       String recipient, MessageKey messageKey, long deadline) {
        String remembered = accepted.estimatedSize() == 0 ? null  // the usual case: spares building the key
                : accepted.getIfPresent(AcceptedKey.of(principal, accountId, messageKey, recipient));
        if (remembered != null) {
            return Mono.just(new RecipientOutcome.Queued(recipient, remembered, true));
        }
        return new Attempts(principal, uri, body, recipient, deadline).attempt(1, false);
    }

    /**
     * Remembers the queued recipients of a message the client will retry; forgets them once a retry needs no other:
     * the message sent again after that is a new one.
     */
    private void rememberForRetry(ApiPrincipal principal, Long accountId, MessageKey messageKey,
                                  List<RecipientOutcome> outcomes) {
        boolean retryComing = false;
        for (RecipientOutcome outcome : outcomes) {
            retryComing |= outcome instanceof RecipientOutcome.Deferred;
        }
        for (RecipientOutcome outcome : outcomes) {
            if (outcome instanceof RecipientOutcome.Queued queued && queued.remembered() != retryComing) {
                AcceptedKey key = AcceptedKey.of(principal, accountId, messageKey, queued.recipient());
                if (retryComing) {
                    accepted.put(key, queued.emailId());
                } else {
                    accepted.invalidate(key);
                }
            }
        }
    }

    /** A recipient the API queued a message for. */
    private record AcceptedKey(String credential, Long accountId, String message, String recipient) {
        static AcceptedKey of(ApiPrincipal principal, Long accountId, MessageKey messageKey, String recipient) {
            return new AcceptedKey(principal.credentialKey(), accountId, messageKey.get(),
                    recipient.toLowerCase(Locale.ROOT));
        }
    }

    /** The tries for one recipient. */
    private final class Attempts {
        private final ApiPrincipal principal;
        private final String uri;
        private final SubmissionBody body;
        private final String recipient;
        private final long deadline;
        /** Why the previous try failed: a try cut short by the deadline reports it rather than the timeout. */
        private String lastFailure;

        Attempts(ApiPrincipal principal, String uri, SubmissionBody body, String recipient, long deadline) {
            this.principal = principal;
            this.uri = uri;
            this.body = body;
            this.recipient = recipient;
            this.deadline = deadline;
        }

        Mono<RecipientOutcome> attempt(int number, boolean tokenRenewed) {
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                return deferred("no answer from the Cakemail API within " + config.messageDeadline().toSeconds() + "s");
            }
            if (!breaker.tryAcquirePermission()) {
                return deferred("Cakemail API unavailable (circuit open), try again later");
            }
            long start = System.nanoTime();
            return tokens.accessToken(principal)
                         .flatMap(token -> http.send(HttpMethod.POST, uri, token, "application/json",
                                         () -> body.forRecipient(recipient), Duration.ofNanos(remaining))
                                 .flatMap(response -> outcome(response, token, number, tokenRenewed, start)))
                         .onErrorResume(error -> {
                             breaker.onError(System.nanoTime() - start, TimeUnit.NANOSECONDS, error);
                             boolean cutShort = isTimeout(error) && lastFailure != null;
                             return retry(number, cutShort ? lastFailure : describe(error), 0);
                         });
        }

        private Mono<RecipientOutcome> outcome(ApiResponse response, String token, int number, boolean tokenRenewed,
                                               long start) {
            int status = response.status();
            long elapsed = System.nanoTime() - start;
            if (status >= 500) {
                breaker.onError(elapsed, TimeUnit.NANOSECONDS, new ApiUnavailableException("HTTP " + status));
                return retry(number, "Cakemail API answered " + status + ": " + response.reason(), 0);
            }
            breaker.onSuccess(elapsed, TimeUnit.NANOSECONDS);
            if (status == 201) {
                ApiResponse.Submitted submitted = response.submitted();
                if (submitted.status().equals("queued")) {
                    return Mono.just(new RecipientOutcome.Queued(recipient, submitted.id(), false));
                }
                return Mono.just(new RecipientOutcome.Refused(recipient, status,
                        "the Cakemail API answered status '" + submitted.status() + "'"));
            }
            if (status == 401) {
                if (tokenRenewed) {
                    return Mono.just(new RecipientOutcome.Deferred(recipient,
                            "the Cakemail API refused a freshly renewed access token", true));
                }
                return tokens.renew(principal, token).then(Mono.defer(() -> attempt(number, true)));
            }
            if (status == 429) {
                return retry(number, "Cakemail API rate limit (429)", retryAfter(response));
            }
            if (status >= 400) {
                return Mono.just(new RecipientOutcome.Refused(recipient, status, response.reason()));
            }
            return deferred("unexpected answer from the Cakemail API: HTTP " + status);
        }

        /** Tries again after the backoff (or {@code Retry-After}, if longer), unless that passes the deadline. */
        private Mono<RecipientOutcome> retry(int number, String reason, long retryAfterNanos) {
            lastFailure = reason;
            long backoff = Math.min(config.backoffMax().toNanos(),
                    config.backoffBase().toNanos() << Math.min(20, number - 1));
            long delay = Math.max((long) (backoff * (0.5 + ThreadLocalRandom.current().nextDouble())), retryAfterNanos);
            if (System.nanoTime() + delay >= deadline) {
                return deferred(reason);
            }
            log.debug("Submission to {} failed ({}), attempt {} again in {} ms", recipient, reason, number + 1,
                    delay / 1_000_000);
            return Mono.delay(Duration.ofNanos(delay)).then(Mono.defer(() -> attempt(number + 1, false)));
        }

        private Mono<RecipientOutcome> deferred(String reason) {
            return Mono.just(new RecipientOutcome.Deferred(recipient, reason, false));
        }
    }

    private static long retryAfter(ApiResponse response) {
        String value = response.headers().get(HttpHeaderNames.RETRY_AFTER);
        try {
            return value == null ? 0 : Duration.ofSeconds(Long.parseLong(value.trim())).toNanos();
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static boolean isTimeout(Throwable error) {
        return error instanceof TimeoutException || error instanceof ReadTimeoutException;
    }

    private static String describe(Throwable error) {
        if (isTimeout(error)) {
            return "timed out waiting for the Cakemail API";
        }
        if (error instanceof AuthenticationException auth) {
            return auth.getMessage();
        }
        String message = error.getMessage();
        return "Cakemail API unreachable (" + error.getClass().getSimpleName()
               + (message == null ? "" : ": " + message.replaceAll("[\\p{Cntrl}]+", " ")) + ")";
    }
}
