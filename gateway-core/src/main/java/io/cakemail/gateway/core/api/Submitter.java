package io.cakemail.gateway.core.api;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.cakemail.gateway.core.submission.SubmissionBody;
import io.cakemail.gateway.smtp.SessionLog;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.timeout.ReadTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Submits one message to each of its recipients ({@code POST /v2/emails}), concurrently, all sharing the JSON
 * written once. A recipient whose request fails on the way (a reset, a timeout) or is answered 5xx is tried at most
 * {@link ApiConfig#maxAttempts} times, with exponential backoff and jitter; a {@code 429} or {@code 503} waits for its
 * {@code Retry-After} (seconds or an HTTP date); nothing waits past the message's deadline. A 401 renews the token
 * once.
 *
 * <p>A circuit breaker over the last calls answers at once while the API is failing broadly. It judges the API, not
 * a recipient: a recipient's failures count towards opening it once per {@value #FAILING_RECIPIENT_MINUTES} minute,
 * so one address the API always refuses, retried by its client, never opens it for everyone else, while an outage,
 * which fails every recipient, opens it within a window of calls.
 *
 * <p>When some recipient is deferred (the client will be told 451 and will retry), the recipients the API queued are
 * remembered, so the retry does not send to them twice; a message that needs no retry leaves nothing to remember.
 */
final class Submitter {

    private static final Logger log = LogManager.getLogger(Submitter.class);
    private static final SessionLog sessionLog = SessionLog.of(Submitter.class);
    /** API trouble an outage repeats for every call: the logging configuration rate-limits this logger. */
    private static final SessionLog api = SessionLog.of("io.cakemail.gateway.api");

    private static final String EMAILS = "/v2/emails";
    private static final int FAILING_RECIPIENT_MINUTES = 1;
    private static final String UNREACHABLE = "Cakemail API unreachable, try again later";

    private final ApiHttp http;
    private final TokenService tokens;
    private final ApiConfig config;
    private final CircuitBreaker breaker;
    private final AcceptedLedger ledger;
    /** Recipients whose failure the breaker has counted lately. */
    private final Cache<String, Boolean> failingRecipients;

    Submitter(ApiHttp http, TokenService tokens, ApiConfig config) {
        this.http = http;
        this.tokens = tokens;
        this.config = config;
        this.breaker = CircuitBreaker.of(
                "cakemail-api",
                CircuitBreakerConfig.custom()
                        .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                        .slidingWindowSize(config.breakerWindow())
                        .minimumNumberOfCalls(config.breakerMinimumCalls())
                        .failureRateThreshold(config.breakerFailureRate())
                        .waitDurationInOpenState(config.breakerOpenDuration())
                        .permittedNumberOfCallsInHalfOpenState(3)
                        .clock(new TickerClock(config.ticker()))
                        .build());
        breaker.getEventPublisher().onStateTransition(event -> {
            CircuitBreaker.StateTransition transition = event.getStateTransition();
            if (transition.getToState() == CircuitBreaker.State.OPEN) {
                log.warn(
                        "Circuit breaker open: the Cakemail API failed {}% of the last calls; messages get 451 for"
                                + " {}s",
                        Math.round(breaker.getMetrics().getFailureRate()),
                        config.breakerOpenDuration().toSeconds());
            } else {
                log.info("Circuit breaker {} -> {}", transition.getFromState(), transition.getToState());
            }
        });
        this.failingRecipients = Caffeine.newBuilder()
                .ticker(config.ticker())
                .expireAfterWrite(Duration.ofMinutes(FAILING_RECIPIENT_MINUTES))
                .maximumSize(100_000)
                .executor(Runnable::run)
                .build();
        this.ledger = config.ledger() != null ? config.ledger() : new LocalLedger(config);
    }

    CircuitBreaker.State circuitState() {
        return breaker.getState();
    }

    /**
     * The outcome of each recipient, in the order given. Recipients the ledger knows were accepted for this message
     * are not sent again; when the ledger cannot tell, every recipient is deferred rather than risk a second copy.
     */
    Mono<List<RecipientOutcome>> submit(
            ApiPrincipal principal,
            Long accountId,
            SubmissionBody body,
            List<String> recipients,
            MessageKey messageKey,
            Map<String, String> metadata) {
        long deadline = System.nanoTime() + config.messageDeadline().toNanos();
        String uri = accountId == null ? EMAILS : EMAILS + "?account_id=" + accountId;
        // worked out only when a ledger asks: it hashes the whole message, and an empty local ledger never asks
        Supplier<String> message = () -> principal.getName().toLowerCase(Locale.ROOT)
                + '\n'
                + (accountId == null ? "" : accountId)
                + '\n'
                + messageKey.get();
        List<String> keys = new ArrayList<>(recipients.size());
        for (String recipient : recipients) {
            keys.add(recipient.toLowerCase(Locale.ROOT));
        }
        return ledger.accepted(message, keys)
                .map(Optional::of)
                .onErrorResume(error -> {
                    api.warn(
                            principal.session(),
                            "The no-resend ledger cannot tell what this message was already sent to; deferring it: {}",
                            error.toString());
                    return Mono.just(Optional.empty());
                })
                .flatMap(known -> known.isPresent()
                        ? send(principal, uri, body, recipients, keys, known.get(), deadline)
                        : Mono.just(deferAll(recipients)))
                .flatMap(outcomes -> rememberForRetry(principal, message, keys, outcomes, metadata)
                        .thenReturn(outcomes));
    }

    private Mono<List<RecipientOutcome>> send(
            ApiPrincipal principal,
            String uri,
            SubmissionBody body,
            List<String> recipients,
            List<String> keys,
            Map<String, String> known,
            long deadline) {
        if (recipients.size() == 1) {
            return one(principal, uri, body, recipients.get(0), known.get(keys.get(0)), deadline)
                    .map(List::of);
        }
        return Flux.range(0, recipients.size())
                .flatMapSequential(
                        i -> one(principal, uri, body, recipients.get(i), known.get(keys.get(i)), deadline),
                        recipients.size())
                .collectList();
    }

    /** @param remembered the email id the API gave this recipient for this message before, or {@code null} */
    private Mono<RecipientOutcome> one(
            ApiPrincipal principal,
            String uri,
            SubmissionBody body,
            String recipient,
            String remembered,
            long deadline) {
        if (remembered != null) {
            return Mono.just(new RecipientOutcome.Queued(recipient, remembered, true));
        }
        return new Attempts(principal, uri, body, recipient, deadline).attempt(1, false);
    }

    private static List<RecipientOutcome> deferAll(List<String> recipients) {
        List<RecipientOutcome> outcomes = new ArrayList<>(recipients.size());
        for (String recipient : recipients) {
            outcomes.add(new RecipientOutcome.Deferred(
                    recipient,
                    "the gateway cannot tell whom this message was already sent to, try again later",
                    false));
        }
        return outcomes;
    }

    /**
     * Remembers the queued recipients of a message the client will retry; forgets them once a retry needs no other:
     * the message sent again after that is a new one. A ledger that fails to write is logged, and the reply stands.
     */
    private Mono<Void> rememberForRetry(
            ApiPrincipal principal,
            Supplier<String> message,
            List<String> keys,
            List<RecipientOutcome> outcomes,
            Map<String, String> metadata) {
        boolean retryComing = false;
        for (RecipientOutcome outcome : outcomes) {
            retryComing |= outcome instanceof RecipientOutcome.Deferred;
        }
        Map<String, String> remember = new HashMap<>();
        List<String> forget = new ArrayList<>();
        for (int i = 0; i < outcomes.size(); i++) {
            if (outcomes.get(i) instanceof RecipientOutcome.Queued queued && queued.remembered() != retryComing) {
                if (retryComing) {
                    remember.put(keys.get(i), queued.emailId());
                } else {
                    forget.add(keys.get(i));
                }
            }
        }
        Mono<Void> write = !remember.isEmpty()
                ? ledger.remember(message.get(), remember, metadata)
                : forget.isEmpty() ? Mono.empty() : ledger.forget(message.get(), forget);
        return write.onErrorResume(error -> {
            api.warn(principal.session(), "The no-resend ledger could not be updated: {}", error.toString());
            return Mono.empty();
        });
    }

    /** The tries for one recipient. */
    private final class Attempts {
        private final ApiPrincipal principal;
        private final String uri;
        private final SubmissionBody body;
        private final String recipient;
        private final long deadline;
        /** Tries that failed on the way or were answered 5xx: at most {@link ApiConfig#maxAttempts}. */
        private int failures;
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
                return deferred("no answer from the Cakemail API within "
                        + config.messageDeadline().toSeconds() + "s");
            }
            if (!breaker.tryAcquirePermission()) {
                return deferred("Cakemail API unavailable (circuit open), try again later");
            }
            Verdict verdict = new Verdict();
            return tokens.accessToken(principal)
                    .flatMap(token -> http.send(
                                    HttpMethod.POST,
                                    uri,
                                    token,
                                    "application/json",
                                    () -> body.forRecipient(recipient),
                                    Duration.ofNanos(remaining))
                            .flatMap(response -> outcome(response, token, number, tokenRenewed, verdict)))
                    .onErrorResume(error -> {
                        if (error instanceof AuthenticationException auth
                                && auth.kind() != AuthenticationException.Kind.UNAVAILABLE) {
                            verdict.none(); // the account's credentials, not the API's health
                            return Mono.just(new RecipientOutcome.Refused(
                                    recipient, 401, CakemailClient.credentialsRefused(auth)));
                        }
                        verdict.failure(error);
                        boolean cutShort = isTimeout(error) && lastFailure != null;
                        if (!cutShort) {
                            api.warn(
                                    principal.session(),
                                    "Submission to the Cakemail API failed on the way (attempt {}): {}",
                                    number,
                                    error.toString());
                        }
                        return failed(
                                number,
                                cutShort
                                        ? lastFailure
                                        : isTimeout(error) ? "timed out waiting for the Cakemail API" : UNREACHABLE,
                                0);
                    });
        }

        private Mono<RecipientOutcome> outcome(
                ApiResponse response, String token, int number, boolean tokenRenewed, Verdict verdict) {
            int status = response.status();
            if (status >= 500) {
                verdict.failure(new ApiUnavailableException("HTTP " + status));
                api.warn(
                        principal.session(),
                        "The Cakemail API answered {} to a submission (attempt {}): {}",
                        status,
                        number,
                        response.reason());
                return failed(
                        number,
                        "Cakemail API answered " + status + ": " + response.reason(),
                        status == 503 ? retryAfter(response) : 0);
            }
            verdict.success();
            if (status == 201) {
                return Mono.just(submitted(response.submitted()));
            }
            if (status == 401) {
                if (tokenRenewed) {
                    return Mono.just(new RecipientOutcome.Deferred(
                            recipient, "the Cakemail API refused a freshly renewed access token", true));
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

        /**
         * A {@code 201}: the API stored the message. {@code rejected} and {@code error} are its refusals; any other
         * status (one the API added since this was written) is logged, counted, and taken as accepted.
         */
        private RecipientOutcome submitted(ApiResponse.Submitted submitted) {
            switch (submitted.status()) {
                case "queued" -> {
                    return new RecipientOutcome.Queued(recipient, submitted.id(), false);
                }
                case "rejected", "error" -> {
                    return new RecipientOutcome.Refused(
                            recipient, 201, "the Cakemail API answered status '" + submitted.status() + "'");
                }
                default -> {
                    config.metrics().unknownSubmissionStatus();
                    api.warn(
                            principal.session(),
                            "The Cakemail API answered 201 with status '{}', which this gateway does not know;"
                                    + " taking it as accepted (email id {})",
                            submitted.status(),
                            submitted.id());
                    return new RecipientOutcome.Queued(
                            recipient, submitted.id().isEmpty() ? "unknown" : submitted.id(), false);
                }
            }
        }

        /** A try that failed on the way or was answered 5xx: again, unless this recipient had its tries. */
        private Mono<RecipientOutcome> failed(int number, String reason, long retryAfterNanos) {
            if (++failures >= config.maxAttempts()) {
                return deferred(reason + " (" + failures + " attempts)");
            }
            return retry(number, reason, retryAfterNanos);
        }

        /** Tries again after the backoff (or {@code Retry-After}, if longer), unless that passes the deadline. */
        private Mono<RecipientOutcome> retry(int number, String reason, long retryAfterNanos) {
            lastFailure = reason;
            long backoff =
                    Math.min(config.backoffMax().toNanos(), config.backoffBase().toNanos() << Math.min(20, number - 1));
            long delay = Math.max(
                    (long) (backoff * (0.5 + ThreadLocalRandom.current().nextDouble())), retryAfterNanos);
            if (System.nanoTime() + delay >= deadline) {
                return deferred(reason);
            }
            sessionLog.debug(
                    principal.session(),
                    "Submission to {} failed ({}), attempt {} again in {} ms",
                    recipient,
                    reason,
                    number + 1,
                    delay / 1_000_000);
            return Mono.delay(Duration.ofNanos(delay)).then(Mono.defer(() -> attempt(number + 1, false)));
        }

        private Mono<RecipientOutcome> deferred(String reason) {
            return Mono.just(new RecipientOutcome.Deferred(recipient, reason, false));
        }

        /**
         * The circuit breaker's verdict on one try, given once: a success, a failure, or none (the try said nothing
         * of the API's health, and its permission goes back). A failure counts once a minute per recipient; a repeated
         * one goes back without a verdict, so one address the API always refuses does not open the breaker for
         * everyone.
         */
        private final class Verdict {
            private final long start = System.nanoTime();
            private boolean given;

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

    /** {@code Retry-After} as seconds or an HTTP date (RFC 9110 10.2.3), in nanoseconds from now; 0 without one. */
    static long retryAfter(ApiResponse response) {
        String value = response.headers().get(HttpHeaderNames.RETRY_AFTER);
        if (value == null || value.isBlank()) {
            return 0;
        }
        try {
            return Duration.ofSeconds(Math.max(0, Long.parseLong(value.trim()))).toNanos();
        } catch (NumberFormatException notSeconds) {
            try {
                Instant at = ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME)
                        .toInstant();
                return Math.max(0, Duration.between(Instant.now(), at).toNanos());
            } catch (DateTimeParseException neither) {
                return 0;
            }
        }
    }

    private static boolean isTimeout(Throwable error) {
        return error instanceof TimeoutException || error instanceof ReadTimeoutException;
    }
}
