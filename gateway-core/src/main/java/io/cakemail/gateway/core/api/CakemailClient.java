package io.cakemail.gateway.core.api;

import static java.util.Objects.requireNonNull;

import io.cakemail.gateway.core.http.ApiHttp;
import io.cakemail.gateway.core.json.SubmissionBody;
import io.cakemail.gateway.core.json.SubmissionJson;
import io.cakemail.gateway.core.memory.MemoryBudget;
import io.cakemail.gateway.core.transform.ParsedMessage;
import io.cakemail.gateway.core.transform.RefusalException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.netty.channel.EventLoopGroup;
import java.util.List;
import reactor.core.publisher.Mono;

/**
 * The gateway's client of the Cakemail API: logins ({@link #login}) and message hand-over ({@link #deliver}):
 * resolve {@code sender.id}, write the JSON once, submit it to every recipient. Nothing here blocks; every answer
 * may complete on any thread.
 */
public final class CakemailClient implements AutoCloseable {

    private final ApiConfig config;
    private final ApiHttp http;
    private final TokenService tokens;
    private final SenderDirectory senders;
    private final Submitter submitter;

    public CakemailClient(ApiConfig config) {
        this(config, ApiServices.DEFAULT, null);
    }

    /**
     * @param loops event loops to run the HTTP client on: the SMTP server's own, so a message does not change
     *              threads on its way to the API; {@code null} for one of its own
     */
    public CakemailClient(ApiConfig config, ApiServices services, EventLoopGroup loops) {
        this.config = requireNonNull(config, "config");
        requireNonNull(services, "services");
        this.http = new ApiHttp(config, services.metrics(), loops);
        this.tokens = new TokenService(http, config, services.ticker());
        this.senders = new SenderDirectory(tokens, http, config, services.ticker());
        this.submitter = new Submitter(http, tokens, config, services);
    }

    public ApiConfig config() {
        return config;
    }

    /**
     * Exchanges SMTP credentials for a session; fails with {@link AuthenticationException}.
     *
     * @param session the SMTP session's id, which the log lines of this login's API calls carry
     */
    public Mono<ApiPrincipal> login(String session, String username, String password) {
        return tokens.login(session, username, password);
    }

    /**
     * Hands {@code message} over for each of {@code recipients}, releasing it when done. {@code sender.id} is the
     * message's {@code X-Sender-Id}, else the From address, else {@code envelopeSender}, matched against the
     * account's confirmed senders.
     */
    public Mono<Delivery> deliver(
            ApiPrincipal principal, String envelopeSender, List<String> recipients, ParsedMessage message) {
        return senderId(principal, envelopeSender, message)
                .flatMap(resolved -> resolved instanceof Delivery delivery
                        ? Mono.just(delivery)
                        : submit(principal, recipients, message, (String) resolved))
                .onErrorResume(ApiUnavailableException.class, e -> Mono.just(new Delivery.Unavailable(e.getMessage())))
                .onErrorResume(
                        AuthenticationException.class,
                        e -> Mono.just(
                                e.kind() == AuthenticationException.Kind.UNAVAILABLE
                                        ? new Delivery.Unavailable(e.getMessage())
                                        : new Delivery.CredentialsRefused(credentialsRefused(e))))
                .doFinally(signal -> message.release());
    }

    /** Why a message of a login whose credentials the API refused is not sent, for its reply. */
    static String credentialsRefused(AuthenticationException refusal) {
        return "the Cakemail API no longer accepts this login's credentials (" + refusal.getMessage()
                + "); log in with the current password";
    }

    /** The logins whose access tokens are cached now (an estimate, as Caffeine counts). */
    public long cachedTokens() {
        return tokens.cachedTokens();
    }

    /** The circuit breaker's state, for health checks and tests. */
    public CircuitBreaker.State circuitState() {
        return submitter.circuitState();
    }

    /** A {@code String} sender id, or a {@link Delivery} saying why there is none. */
    private Mono<Object> senderId(ApiPrincipal principal, String envelopeSender, ParsedMessage message) {
        if (message.senderId() != null) {
            return Mono.just(message.senderId());
        }
        String from = message.from().address();
        String first = from != null ? from : envelopeSender;
        if (first == null) {
            return Mono.just(new Delivery.SenderNotConfirmed("<>", SenderDirectory.Status.UNKNOWN));
        }
        return senders.find(principal, message.accountId(), first).flatMap(match -> {
            if (match.status() == SenderDirectory.Status.CONFIRMED) {
                return Mono.just(match.id());
            }
            boolean envelopeDiffers = envelopeSender != null && !envelopeSender.equalsIgnoreCase(first);
            if (!envelopeDiffers) {
                return Mono.just(new Delivery.SenderNotConfirmed(first, match.status()));
            }
            return senders.find(principal, message.accountId(), envelopeSender)
                    .map(envelope -> envelope.status() == SenderDirectory.Status.CONFIRMED
                            ? envelope.id()
                            : new Delivery.SenderNotConfirmed(first, match.status()));
        });
    }

    private Mono<Delivery> submit(
            ApiPrincipal principal, List<String> recipients, ParsedMessage message, String senderId) {
        String type = message.emailType() != null ? message.emailType() : config.defaultEmailType();
        Long listId = message.listId() != null ? message.listId() : config.defaultListId();
        SubmissionBody body;
        try {
            body = SubmissionJson.write(message, senderId, type, listId);
        } catch (RefusalException e) {
            return Mono.just(new Delivery.NotSent(e.refusal()));
        } catch (OutOfMemoryError e) {
            return Mono.just(new Delivery.NotSent(MemoryBudget.allocationFailed(principal.session(), e)));
        }
        if (message.doNotDeliver() != null) {
            body.release();
            return Mono.just(new Delivery.Checked(message.doNotDeliver()));
        }
        try {
            body.reserveFanOut(recipients.size());
        } catch (RefusalException e) {
            body.release();
            return Mono.just(new Delivery.NotSent(e.refusal()));
        }
        return submitter
                .submit(
                        principal,
                        message.accountId(),
                        body,
                        message.subject(),
                        recipients,
                        new MessageKey(message, body),
                        message.metadata())
                .cast(Delivery.class)
                .doFinally(signal -> body.release());
    }

    @Override
    public void close() {
        http.close();
    }
}
