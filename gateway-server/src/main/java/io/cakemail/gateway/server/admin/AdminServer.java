package io.cakemail.gateway.server.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cakemail.gateway.server.config.ServerSettings;
import io.cakemail.gateway.server.config.StartupException;
import io.cakemail.gateway.server.listen.OptionalProxyHeader;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.time.Duration;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerResponse;

/**
 * The operator's HTTP port ({@code GATEWAY_HTTP_PORT}): {@code GET /metrics} in the Prometheus text format,
 * {@code GET /health/live}, {@code GET /health/ready} and {@code GET /health} (a JSON document with the details).
 * HTTP/1.1 on Reactor Netty, on the gateway's own event loops; nothing here blocks (a scrape formats meters held in
 * memory).
 *
 * <p>With the PROXY protocol on, a connection may start with a PROXY header from a trusted peer, as a load balancer's
 * health check does when the balancer sends the header to its targets ({@link OptionalProxyHeader}).
 *
 * <p>Liveness is 200 while the process serves. Readiness is 200 once the listeners are bound and 503 from the moment
 * a drain starts, so the load balancer stops sending first. An API outage does not fail readiness (every pod would
 * leave the load balancer at once): it shows in {@code /health} and in the metrics.
 */
public final class AdminServer implements AutoCloseable {

    /**
     * How long a connection may wait for its next request: longer than Prometheus's scrape interval, so scrapes keep
     * theirs, and short enough that connections left open by whoever reached the port do not pile up.
     */
    public static final Duration IDLE_TIMEOUT = Duration.ofSeconds(60);

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final DisposableServer server;

    private AdminServer(DisposableServer server) {
        this.server = server;
    }

    /**
     * Listens on {@code host:port} (0 for a free port), closing connections idle for {@code idleTimeout};
     * {@code proxyHeader} prepares each connection for a PROXY header a load balancer's health check may send.
     */
    public static AdminServer start(
            String host,
            int port,
            EventLoopGroup loops,
            PrometheusMeterRegistry registry,
            GatewayHealth health,
            Duration idleTimeout,
            OptionalProxyHeader.Installer proxyHeader) {
        try {
            DisposableServer server = HttpServer.create()
                    .host(host)
                    .port(port)
                    .runOn(loops)
                    .idleTimeout(idleTimeout)
                    .doOnChannelInit((observer, channel, remote) -> proxyHeader.install(channel))
                    .route(routes -> routes.get(
                                    "/metrics",
                                    (request, response) -> text(response, 200, PROMETHEUS_TEXT, registry.scrape()))
                            .get("/health/live", (request, response) -> status(response, 200, "UP"))
                            .get(
                                    "/health/ready",
                                    (request, response) -> health.ready()
                                            ? status(response, 200, "UP")
                                            : status(response, 503, health.status()))
                            .get("/health", (request, response) -> json(response, 200, health.details())))
                    .bindNow(Duration.ofSeconds(10));
            return new AdminServer(server);
        } catch (RuntimeException e) {
            throw new StartupException(
                    ServerSettings.HTTP_PORT.name() + ": " + port + " cannot be bound on " + host + " ("
                            + e.getMessage() + ")",
                    e);
        }
    }

    public int port() {
        return server.port();
    }

    private static Publisher<Void> status(HttpServerResponse response, int code, String status) {
        return json(response, code, JSON.createObjectNode().put("status", status));
    }

    private static Publisher<Void> json(HttpServerResponse response, int code, ObjectNode body) {
        return text(response, code, "application/json", body.toString());
    }

    private static Publisher<Void> text(HttpServerResponse response, int code, String contentType, String body) {
        return response.status(code)
                .header(HttpHeaderNames.CONTENT_TYPE, contentType)
                .sendString(Mono.just(body));
    }

    @Override
    public void close() {
        server.disposeNow(Duration.ofSeconds(5));
    }
}
