package io.cakemail.gateway.core.http;

import io.cakemail.gateway.core.api.ApiConfig;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;
import io.netty.util.HashedWheelTimer;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import javax.net.ssl.SSLException;
import reactor.core.publisher.Mono;

/**
 * The one HTTP client of the gateway, on Netty's own HTTP/2 frame handler: h2 over TLS (ALPN) or h2c with prior
 * knowledge, and HTTP/1.1 for an API that offers neither, with one set of limits (connect and response timeouts,
 * response bodies up to 1 MiB) whatever the protocol. Each event loop has its own connections
 * ({@link LoopConnections}); a request is sent on the caller's loop when the caller runs on one, else on the next
 * loop in turn. Never blocks.
 *
 * <p>Why not Reactor Netty's client, which the gateway used before: its HTTP/2 path opens a stream channel and a
 * Reactor pipeline per request. Measured with {@code benchmarks/scripts/load.sh} in alternating runs (benchmarks/HISTORY.md),
 * this client carries +17 % messages per second (median 7,166 against 6,108) for 21 % less CPU per message, and
 * {@code SubmissionBenchmark} allocates 13.0 KB per recipient against 25.8 KB. One stack then serves HTTP/1.1 too, so
 * that the limits cannot drift apart between two clients.
 */
public final class ApiHttp implements AutoCloseable {

    private static final AsciiString JSON = AsciiString.cached("application/json");
    /**
     * Every exchange's deadline, to 10 ms: a timeout is set and cancelled per request, in constant time and without
     * waking an event loop (scheduling on a loop costs a priority-queue insert, often from another thread).
     */
    private static final HashedWheelTimer DEADLINES =
            new HashedWheelTimer(new DefaultThreadFactory("cakemail-api-deadlines", true), 10, TimeUnit.MILLISECONDS);

    private final ApiConfig config;
    private final ApiMetricsRecorder metrics;
    private final EventLoopGroup ownLoops;
    private final ApiConnector connector;
    /** The loops, and at the same index each loop's connections. */
    private final EventExecutor[] loops;

    private final LoopConnections[] connections;
    private final AtomicInteger nextLoop = new AtomicInteger();
    private volatile RequestHeaders lastHeaders;

    /**
     * @param loops the event loops to run on (the SMTP server's, so a message does not change threads on its way
     *     to the API), or {@code null} for one of its own
     */
    /** Exchanges not recorded for metrics. */
    public ApiHttp(ApiConfig config, EventLoopGroup loops) {
        this(config, ApiMetricsRecorder.NONE, loops);
    }

    /**
     * @param metrics records every exchange
     * @param loops event loops to run on, or {@code null} for one of its own
     */
    public ApiHttp(ApiConfig config, ApiMetricsRecorder metrics, EventLoopGroup loops) {
        this.config = config;
        this.metrics = metrics;
        DEADLINES.start(); // here, not on the first request: starting waits for the timer's thread
        this.ownLoops = loops == null ? new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory()) : null;
        EventLoopGroup group = loops != null ? loops : ownLoops;
        try {
            this.connector = new ApiConnector(config, group);
        } catch (SSLException e) {
            throw new IllegalStateException("TLS for the API client: " + e.getMessage(), e);
        }
        List<EventExecutor> members = new ArrayList<>();
        group.forEach(members::add);
        this.loops = members.toArray(EventExecutor[]::new);
        int share = Math.max(1, (config.maxConnections() + this.loops.length - 1) / this.loops.length);
        this.connections = new LoopConnections[this.loops.length];
        for (int i = 0; i < this.loops.length; i++) {
            connections[i] = new LoopConnections((EventLoop) this.loops[i], connector, config, share);
        }
    }

    /**
     * Sends a request; {@code body} (may be null) is called once, when the request is written, and its buffer
     * released once sent. {@code timeout}, when not null, bounds the wait for the response instead of the configured
     * one; waiting for a connection counts.
     */
    public Mono<ApiResponse> send(
            HttpMethod method,
            String pathAndQuery,
            String bearer,
            String contentType,
            Supplier<ByteBuf> body,
            Duration timeout) {
        Http2Headers headers = requestHeaders(method, pathAndQuery, bearer, contentType);
        Duration wait = timeout != null ? timeout : config.responseTimeout();
        return Mono.create(caller -> {
            ApiExchange exchange = new ApiExchange(headers, body, caller, metrics);
            exchange.timeOutAfter(wait, DEADLINES);
            callerConnections().submit(exchange);
        });
    }

    /** A form-encoded POST (the token endpoint). */
    public Mono<ApiResponse> postForm(String uri, String form) {
        byte[] bytes = form.getBytes(StandardCharsets.UTF_8);
        return send(
                HttpMethod.POST,
                uri,
                null,
                "application/x-www-form-urlencoded",
                () -> Unpooled.wrappedBuffer(bytes),
                null);
    }

    /** The connections of the caller's event loop, or of the next loop in turn for a caller on none. */
    private LoopConnections callerConnections() {
        for (int i = 0; i < loops.length; i++) {
            if (loops[i].inEventLoop()) {
                return connections[i];
            }
        }
        return connections[Math.floorMod(nextLoop.getAndIncrement(), connections.length)];
    }

    /**
     * The headers of a request: those of the previous request when they are the same (the usual case, one path and
     * one token), which spares building them and lets HPACK find the long token's hash already computed. Headers are
     * never changed once built.
     */
    private Http2Headers requestHeaders(HttpMethod method, String pathAndQuery, String bearer, String contentType) {
        RequestHeaders last = lastHeaders;
        if (last != null
                && last.method.equals(method)
                && last.pathAndQuery.equals(pathAndQuery)
                && Objects.equals(last.bearer, bearer)
                && Objects.equals(last.contentType, contentType)) {
            return last.headers;
        }
        // not validated: every name is one of these constants
        Http2Headers headers = new DefaultHttp2Headers(false)
                .method(method.asciiName())
                .scheme(connector.scheme)
                .authority(connector.authority)
                .path(connector.basePath + pathAndQuery)
                .set(HttpHeaderNames.ACCEPT, JSON);
        if (bearer != null) {
            headers.set(HttpHeaderNames.AUTHORIZATION, "Bearer " + bearer);
        }
        if (contentType != null) {
            headers.set(HttpHeaderNames.CONTENT_TYPE, contentType);
        }
        lastHeaders = new RequestHeaders(method, pathAndQuery, bearer, contentType, headers);
        return headers;
    }

    /** A request's headers and what they were made of; its text leaves the token out. */
    record RequestHeaders(
            HttpMethod method, String pathAndQuery, String bearer, String contentType, Http2Headers headers) {
        @Override
        public String toString() {
            return "RequestHeaders[" + method + ' ' + pathAndQuery + ", bearer=***, contentType=" + contentType + ']';
        }
    }

    @Override
    public void close() {
        for (LoopConnections loop : connections) {
            loop.close();
        }
        connector.close();
        if (ownLoops != null) {
            ownLoops.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        }
    }
}
