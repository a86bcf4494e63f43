package io.cakemail.sandbox;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.ssl.util.SelfSignedCertificate;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import org.reactivestreams.Publisher;
import reactor.netty.DisposableServer;
import reactor.netty.http.Http2SslContextSpec;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * A local Cakemail API: {@code POST /token} (password and refresh grants), {@code GET /brands/default/senders},
 * {@code POST /v2/emails}, {@code GET /v2/emails/{id}} and {@code GET /v2/logs/emails}, with the published request
 * and response shapes and
 * status codes, plus an inbox ({@code /} as a page, {@code /sandbox/messages} as JSON) and fault injection
 * ({@code /sandbox/faults}). Speaks HTTP/1.1 and h2c in plaintext, or HTTP/1.1 and h2 over TLS.
 */
public final class CakemailSandbox implements AutoCloseable {

    private final TokenStore tokens;
    private final Inbox inbox;
    private final Faults faults = new Faults();
    private final EmailResource emails;
    private final LogResource logs;
    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final DisposableServer server;
    private final boolean tls;

    private CakemailSandbox(SandboxConfig config, String host, int port, boolean tls) throws Exception {
        requireNonNull(config, "config");
        RandomIds ids = new RandomIds();
        this.tokens = new TokenStore(Clock.systemUTC(), ids.random());
        this.inbox = new Inbox(config.inboxCapacity());
        this.emails = new EmailResource(config, tokens, faults, inbox, ids);
        this.logs = new LogResource(tokens, faults, inbox);
        this.tls = tls;
        TokenResource token = new TokenResource(config, tokens, faults, ids);
        SenderResource senders = new SenderResource(config, tokens, faults);
        InboxResource inboxPages = new InboxResource(config, inbox);
        ControlResource control = new ControlResource(faults, tokens);
        HttpServer http = HttpServer.create()
                .host(host)
                .port(port)
                .channelGroup(connections)
                .route(routes -> {
                    token.register(routes, this::counted);
                    senders.register(routes, this::counted);
                    emails.register(routes, this::counted);
                    logs.register(routes, this::counted);
                    inboxPages.register(routes);
                    control.register(routes);
                });
        if (tls) {
            SelfSignedCertificate certificate = new SelfSignedCertificate("localhost");
            http = http.protocol(HttpProtocol.H2, HttpProtocol.HTTP11)
                    .secure(spec ->
                            spec.sslContext(Http2SslContextSpec.forServer(certificate.key(), certificate.cert())));
        } else {
            http = http.protocol(HttpProtocol.HTTP11, HttpProtocol.H2C);
        }
        server = http.bindNow(Duration.ofSeconds(10));
    }

    /** Starts a plaintext sandbox (HTTP/1.1 and h2c); port 0 picks a free one. */
    public static CakemailSandbox start(SandboxConfig config, String host, int port) throws Exception {
        return new CakemailSandbox(config, host, port, false);
    }

    /** Starts a TLS sandbox (h2 and HTTP/1.1 by ALPN) with a self-signed certificate for {@code localhost}. */
    public static CakemailSandbox startTls(SandboxConfig config, String host, int port) throws Exception {
        return new CakemailSandbox(config, host, port, true);
    }

    public int port() {
        return server.port();
    }

    /** The base URL, for the gateway's {@code GATEWAY_API_URL}. */
    public URI baseUri() {
        return URI.create((tls ? "https" : "http") + "://" + server.host() + ":" + server.port());
    }

    /** The faults in force. */
    public Faults faults() {
        return faults;
    }

    /** The accepted emails. */
    public Inbox inbox() {
        return inbox;
    }

    /** Every {@code POST /v2/emails} body received, valid or not, in order (the latest, as many as the inbox keeps). */
    public List<JsonNode> submissions() {
        return emails.submissions();
    }

    /** How many calls an API route received, such as {@code POST /token}. */
    public int calls(String route) {
        AtomicInteger count = calls.get(route);
        return count == null ? 0 : count.get();
    }

    /** The access and refresh tokens known now, for a test that checks they are never logged. */
    public Set<String> tokens() {
        return tokens.all();
    }

    /** Makes every access token issued so far expired, as if their lifetime had run out. */
    public void expireTokens() {
        tokens.expireAll();
    }

    /** Revokes every token issued so far, access and refresh, as the API does after a password change. */
    public void revokeTokens() {
        tokens.revokeAll();
    }

    /** Stops listening and drops every open connection, as an API going away would. */
    @Override
    public void close() {
        server.disposeNow(Duration.ofSeconds(10));
        connections.close().awaitUninterruptibly(10_000);
    }

    private Handler counted(String route, Handler handler) {
        AtomicInteger count = calls.computeIfAbsent(route, r -> new AtomicInteger());
        return (request, response) -> {
            count.incrementAndGet();
            return handler.apply(request, response);
        };
    }

    /** A route's handler. */
    interface Handler extends BiFunction<HttpServerRequest, HttpServerResponse, Publisher<Void>> {}

    /** Wraps an API route's handler so that {@link #calls(String)} counts it. */
    @FunctionalInterface
    interface Counting {
        Handler counted(String route, Handler handler);
    }
}
