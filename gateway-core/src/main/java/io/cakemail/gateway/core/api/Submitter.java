package io.cakemail.gateway.core.api;

import io.cakemail.gateway.common.SessionLog;
import io.cakemail.gateway.core.http.ApiHttp;
import io.cakemail.gateway.core.http.ApiMetricsRecorder;
import io.cakemail.gateway.core.http.RequestNotSentException;
import io.cakemail.gateway.core.json.SubmissionBody;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
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

    /** API trouble an outage repeats for every call: the logging configuration rate-limits this logger. */
    private static final SessionLog api = SessionLog.of("io.cakemail.gateway.api");

    private static final String EMAILS = "/v2/emails";
    /**
     * What the ledger holds for a recipient in doubt: this, then the epoch seconds its doubtful try began and ended,
     * {@code doubt:<since>:<until>}: the window in which the API took it, if it did.
     */
    private static final String DOUBT = "doubt:";

    private final ApiHttp http;
    private final TokenService tokens;
    private final ApiConfig config;
    private final ApiBreaker breaker;
    private final ApiMetricsRecorder metrics;
    private final AcceptedLedger ledger;
    private final SubmissionLog log;

    Submitter(ApiHttp http, TokenService tokens, ApiConfig config, ApiServices services) {
        this.http = http;
        this.tokens = tokens;
        this.config = config;
        this.log = new SubmissionLog(tokens, http);
        this.metrics = services.metrics();
        this.breaker = new ApiBreaker(config, services.ticker());
        this.ledger = services.ledger() != null ? services.ledger() : new LocalLedger(config, services.ticker());
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
                                        new MessageSubmission(principal, accountId, uri, body, subject, deadline),
                                        recipients,
                                        keys,
                                        known.get())
                                .flatMap(outcomes -> rememberForRetry(
                                                principal, message, keys, outcomes, known.get(), metadata)
                                        .map(recorded -> new Delivery.Submitted(outcomes, recorded)))
                        : Mono.just(new Delivery.Submitted(deferAll(recipients), true)));
    }

    private Mono<List<RecipientOutcome>> send(
            MessageSubmission message, List<String> recipients, List<String> keys, Map<String, String> known) {
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
    private Mono<RecipientOutcome> one(MessageSubmission message, String recipient, String remembered) {
        if (remembered == null) {
            return new RecipientAttempts(http, tokens, config, breaker, metrics, message, recipient).attempt(1, false);
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
                        .orElseGet(
                                () -> new RecipientAttempts(http, tokens, config, breaker, metrics, message, recipient)
                                        .attempt(1, false)))
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
}
