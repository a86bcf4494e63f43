package io.cakemail.gateway.core.api;

import io.cakemail.gateway.common.SessionLog;
import io.cakemail.gateway.core.http.ApiHttp;
import io.cakemail.gateway.core.http.ApiResponse;
import io.cakemail.gateway.core.http.RequestNotSentException;
import io.cakemail.gateway.core.json.SubmissionBody;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.timeout.ReadTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Submits one message to each of its recipients ({@code POST /v2/emails}), concurrently, all sharing the JSON
 * written once. A POST is not idempotent and the API takes no idempotency key, so a recipient is tried again at once
 * only when its request provably did not reach the API ({@link RequestNotSentException}: no connection, a stream
 * refused) or the API said it did not process it ({@code 503}, {@code 429}): at most {@link ApiConfig#maxAttempts}
 * times, with exponential backoff and jitter, a {@code Retry-After} (seconds or an HTTP date) honoured, nothing past
 * the message's deadline. Any other failure (a connection lost after the request was written, no answer in time, a
 * {@code 500}) leaves it {@linkplain RecipientOutcome.InDoubt in doubt}: remembered, and on the client's retry the
 * API's own log ({@link SubmissionLog}) is asked whether it took it before it is sent again. A 401 renews the token
 * once.
 *
 * <p>A circuit breaker over the last calls ({@link ApiBreaker}) answers at once while the API is failing broadly.
 *
 * <p>When some recipient is deferred or in doubt (the client will be told to try again later), the recipients the API
 * queued, and those in doubt, are remembered, so the retry does not send to them twice; a message that needs no retry
 * leaves nothing to remember.
 */
final class Submitter {

    private static final SessionLog sessionLog = SessionLog.of(Submitter.class);
    /** API trouble an outage repeats for every call: the logging configuration rate-limits this logger. */
    private static final SessionLog api = SessionLog.of("io.cakemail.gateway.api");

    private static final String EMAILS = "/v2/emails";
    private static final String UNREACHABLE = "Cakemail API unreachable, try again later";
    /**
     * What the ledger holds for a recipient in doubt: this, then the epoch seconds its doubtful try began and ended,
     * {@code doubt:<since>:<until>}: the window in which the API took it, if it did.
     */
    private static final String DOUBT = "doubt:";

    private final ApiHttp http;
    private final TokenService tokens;
    private final ApiConfig config;
    private final ApiBreaker breaker;
    private final AcceptedLedger ledger;
    private final SubmissionLog log;

    Submitter(ApiHttp http, TokenService tokens, ApiConfig config) {
        this.http = http;
        this.tokens = tokens;
        this.config = config;
        this.log = new SubmissionLog(tokens, http);
        this.breaker = new ApiBreaker(config);
        this.ledger = config.ledger() != null ? config.ledger() : new LocalLedger(config);
    }

    CircuitBreaker.State circuitState() {
        return breaker.state();
    }

    /**
     * The outcome of each recipient, in the order given. Recipients the ledger knows were accepted for this message
     * are not sent again, those it holds in doubt not before the API's log says it did not take them; when the ledger
     * cannot tell, every recipient is deferred rather than risk a second copy.
     */
    Mono<Delivery.Submitted> submit(
            ApiPrincipal principal,
            Long accountId,
            SubmissionBody body,
            String subject,
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
                        ? send(
                                        new Message(principal, accountId, uri, body, subject, deadline),
                                        recipients,
                                        keys,
                                        known.get())
                                .flatMap(outcomes -> rememberForRetry(
                                                principal, message, keys, outcomes, known.get(), metadata)
                                        .map(recorded -> new Delivery.Submitted(outcomes, recorded)))
                        : Mono.just(new Delivery.Submitted(deferAll(recipients), true)));
    }

    /** What every recipient's submission of one message shares. */
    private record Message(
            ApiPrincipal principal, Long accountId, String uri, SubmissionBody body, String subject, long deadline) {}

    private Mono<List<RecipientOutcome>> send(
            Message message, List<String> recipients, List<String> keys, Map<String, String> known) {
        if (recipients.size() == 1) {
            return one(message, recipients.get(0), known.get(keys.get(0))).map(List::of);
        }
        return Flux.range(0, recipients.size())
                .flatMapSequential(i -> one(message, recipients.get(i), known.get(keys.get(i))), recipients.size())
                .collectList();
    }

    /**
     * @param remembered what the ledger holds for this recipient of this message: the email id the API gave it, or
     *     the time of an attempt in doubt ({@link #DOUBT}), or {@code null}
     */
    private Mono<RecipientOutcome> one(Message message, String recipient, String remembered) {
        if (remembered == null) {
            return new Attempts(message, recipient).attempt(1, false);
        }
        if (!remembered.startsWith(DOUBT)) {
            return Mono.just(new RecipientOutcome.Queued(recipient, remembered, true));
        }
        String[] window = remembered.substring(DOUBT.length()).split(":");
        long since = Long.parseLong(window[0]);
        long until = Long.parseLong(window[1]);
        if (System.currentTimeMillis() / 1000 - until < config.doubtCheckAfter().toSeconds()) {
            return Mono.just(new RecipientOutcome.InDoubt(
                    recipient,
                    "an earlier try may have reached the Cakemail API, whose log cannot tell yet; try again later",
                    since,
                    until));
        }
        return log.taken(message.principal(), message.accountId(), recipient, message.subject(), since, until)
                .flatMap(taken -> taken.<Mono<RecipientOutcome>>map(
                                emailId -> Mono.just(new RecipientOutcome.Queued(recipient, emailId, true)))
                        .orElseGet(() -> new Attempts(message, recipient).attempt(1, false)))
                .onErrorResume(error -> {
                    api.warn(
                            message.principal().session(),
                            "The Cakemail API's log cannot tell whether it took a submission in doubt: {}",
                            error.toString());
                    return Mono.just(new RecipientOutcome.InDoubt(
                            recipient,
                            "an earlier try may have reached the Cakemail API, whose log cannot tell; try again later",
                            since,
                            until));
                });
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
     * Remembers the queued recipients of a message the client will retry, and those in doubt (with the time of their
     * attempt); forgets them once a retry needs no other: the message sent again after that is a new one. Answers
     * whether the retry is covered: a ledger that could not record what it had to is logged, and the reply must not
     * promise that nothing is sent twice.
     */
    private Mono<Boolean> rememberForRetry(
            ApiPrincipal principal,
            Supplier<String> message,
            List<String> keys,
            List<RecipientOutcome> outcomes,
            Map<String, String> known,
            Map<String, String> metadata) {
        boolean retryComing = false;
        for (RecipientOutcome outcome : outcomes) {
            retryComing |= outcome instanceof RecipientOutcome.Deferred || outcome instanceof RecipientOutcome.InDoubt;
        }
        Map<String, String> remember = new HashMap<>();
        for (int i = 0; retryComing && i < outcomes.size(); i++) {
            RecipientOutcome outcome = outcomes.get(i);
            if (outcome instanceof RecipientOutcome.Queued queued && !queued.remembered()) {
                remember.put(keys.get(i), queued.emailId());
            } else if (outcome instanceof RecipientOutcome.InDoubt doubt) {
                remember.put(keys.get(i), DOUBT + doubt.since() + ':' + doubt.until());
            }
        }
        Collection<String> forget = retryComing ? List.of() : known.keySet();
        if (!remember.isEmpty()) {
            return ledger.remember(message.get(), remember, metadata)
                    .thenReturn(true)
                    .onErrorResume(error -> {
                        api.warn(
                                principal.session(),
                                "The no-resend ledger could not record this message's recipients; its retry may send"
                                        + " to them again: {}",
                                error.toString());
                        return Mono.just(false);
                    });
        }
        Mono<Void> forgotten = forget.isEmpty() ? Mono.empty() : ledger.forget(message.get(), forget);
        return forgotten
                .onErrorResume(error -> {
                    api.warn(principal.session(), "The no-resend ledger could not be updated: {}", error.toString());
                    return Mono.empty();
                })
                .thenReturn(true);
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

        Attempts(Message message, String recipient) {
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
                            return Mono.just(new RecipientOutcome.Refused(
                                    recipient, 401, CakemailClient.credentialsRefused(auth)));
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

        /** The try that began at {@code startedAt} (epoch seconds) may have reached the API: no other is made now. */
        private Mono<RecipientOutcome> inDoubt(String reason, long startedAt) {
            return Mono.just(
                    new RecipientOutcome.InDoubt(recipient, reason, startedAt, System.currentTimeMillis() / 1000));
        }
    }

    private static boolean isTimeout(Throwable error) {
        return error instanceof TimeoutException || error instanceof ReadTimeoutException;
    }
}
