package io.cakemail.gateway.core.api;

import io.cakemail.gateway.common.SessionLog;
import io.cakemail.gateway.core.http.ApiHttp;
import io.cakemail.gateway.core.http.ApiMetricsRecorder;
import io.cakemail.gateway.core.http.ApiResponse;
import io.cakemail.gateway.core.http.RequestNotSentException;
import io.cakemail.gateway.core.json.SubmissionBody;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.timeout.ReadTimeoutException;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeoutException;
import reactor.core.publisher.Mono;

/**
 * The tries of one recipient of a message ({@link Submitter}): tried again, with backoff, only while its request
 * provably did not reach the API; in doubt after any other failure; refused for good on the account's credentials;
 * each try's verdict given to the circuit breaker once.
 */
final class RecipientAttempts {

    private static final SessionLog sessionLog = SessionLog.of(Submitter.class);
    /** API trouble an outage repeats for every call: the logging configuration rate-limits this logger. */
    private static final SessionLog api = SessionLog.of("io.cakemail.gateway.api");

    private static final String UNREACHABLE = "Cakemail API unreachable, try again later";

    private final ApiHttp http;
    private final TokenService tokens;
    private final ApiConfig config;
    private final ApiBreaker breaker;
    private final ApiMetricsRecorder metrics;

    private final ApiPrincipal principal;
    private final String uri;
    private final SubmissionBody body;
    private final String recipient;
    private final long deadline;
    /** Tries that failed on the way or were answered 5xx: at most {@link ApiConfig#maxAttempts}. */
    private int failures;
    /** Why the previous try failed: a try cut short by the deadline reports it rather than the timeout. */
    private String lastFailure;

    RecipientAttempts(
            ApiHttp http,
            TokenService tokens,
            ApiConfig config,
            ApiBreaker breaker,
            ApiMetricsRecorder metrics,
            MessageSubmission message,
            String recipient) {
        this.http = http;
        this.tokens = tokens;
        this.config = config;
        this.breaker = breaker;
        this.metrics = metrics;
        this.principal = message.principal();
        this.uri = message.uri();
        this.body = message.body();
        this.recipient = recipient;
        this.deadline = message.deadline();
    }

    Mono<RecipientOutcome> attempt(int number, boolean tokenRenewed) {
        long remaining = deadline - System.nanoTime();
        if (remaining <= 0) {
            return deferred("no answer from the Cakemail API within "
                    + config.messageDeadline().toSeconds() + "s");
        }
        ApiBreaker.Verdict verdict = breaker.permit(recipient);
        if (verdict == null) {
            return deferred("Cakemail API unavailable (circuit open), try again later");
        }
        long startedAt = System.currentTimeMillis() / 1000;
        return tokens.accessToken(principal)
                .flatMap(token -> http.send(
                                HttpMethod.POST,
                                uri,
                                token,
                                "application/json",
                                () -> body.forRecipient(recipient),
                                Duration.ofNanos(remaining))
                        .flatMap(response -> outcome(response, token, number, tokenRenewed, verdict, startedAt)))
                .onErrorResume(error -> {
                    if (error instanceof AuthenticationException auth
                            && auth.kind() != AuthenticationException.Kind.UNAVAILABLE) {
                        verdict.none(); // the account's credentials, not the API's health
                        return Mono.just(
                                new RecipientOutcome.Refused(recipient, 401, CakemailClient.credentialsRefused(auth)));
                    }
                    verdict.failure(error);
                    boolean notSent = error instanceof RequestNotSentException
                            || error instanceof AuthenticationException; // no token: no request either
                    Throwable cause = error instanceof RequestNotSentException && error.getCause() != null
                            ? error.getCause()
                            : error;
                    boolean cutShort = isTimeout(cause) && lastFailure != null;
                    if (!cutShort) {
                        api.warn(
                                principal.session(),
                                "Submission to the Cakemail API failed on the way (attempt {}, {}): {}",
                                number,
                                notSent ? "not sent" : "in doubt",
                                error.toString());
                    }
                    if (!notSent) {
                        return inDoubt(
                                isTimeout(cause)
                                        ? "no answer from the Cakemail API in time"
                                        : "the connection to the Cakemail API was lost before its answer",
                                startedAt);
                    }
                    return failed(
                            number,
                            cutShort
                                    ? lastFailure
                                    : isTimeout(cause) ? "timed out waiting for the Cakemail API" : UNREACHABLE,
                            0);
                });
    }

    private Mono<RecipientOutcome> outcome(
            ApiResponse response,
            String token,
            int number,
            boolean tokenRenewed,
            ApiBreaker.Verdict verdict,
            long startedAt) {
        int status = response.status();
        if (status >= 500) {
            verdict.failure(new ApiUnavailableException("HTTP " + status));
            api.warn(
                    principal.session(),
                    "The Cakemail API answered {} to a submission (attempt {}): {}",
                    status,
                    number,
                    response.reason());
            String reason = "Cakemail API answered " + status + ": " + response.reason();
            return status == 503 ? failed(number, reason, response.retryAfterNanos()) : inDoubt(reason, startedAt);
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
            return retry(number, "Cakemail API rate limit (429)", response.retryAfterNanos());
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
                metrics.unknownSubmissionStatus();
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
        long delay =
                Math.max((long) (backoff * (0.5 + ThreadLocalRandom.current().nextDouble())), retryAfterNanos);
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

    /** The try that began at {@code startedAt} (epoch seconds) may have reached the API: no other is made now. */
    private Mono<RecipientOutcome> inDoubt(String reason, long startedAt) {
        return Mono.just(new RecipientOutcome.InDoubt(recipient, reason, startedAt, System.currentTimeMillis() / 1000));
    }

    private static boolean isTimeout(Throwable error) {
        return error instanceof TimeoutException || error instanceof ReadTimeoutException;
    }
}
