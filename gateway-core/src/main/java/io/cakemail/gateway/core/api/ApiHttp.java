package io.cakemail.gateway.core.api;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Supplier;
import javax.net.ssl.SSLException;
import reactor.core.publisher.Mono;
import reactor.netty.http.Http11SslContextSpec;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * The one HTTP client of the gateway. Over h2 (TLS with ALPN) or h2c (when configured) every request is a stream
 * of {@link Http2ApiClient}'s few multiplexed connections; over HTTP/1.1 (a plain {@code http://} API without h2c,
 * or a TLS server that does not offer h2) it goes through Reactor Netty's pooled client. Never blocks.
 */
final class ApiHttp implements AutoCloseable {

    private final ConnectionProvider pool;
    private final HttpClient http11;
    /** The HTTP/2 client, or {@code null} when the API is configured as plain HTTP/1.1. */
    private final Http2ApiClient http2;

    /** @param loops the event loops to run on (the SMTP server's, to save thread hand-overs), or {@code null} */
    ApiHttp(ApiConfig config, EventLoopGroup loops) {
        boolean tls = config.baseUri().getScheme().equals("https");
        pool = ConnectionProvider.builder("cakemail-api")
                .maxConnections(config.maxConnections())
                .pendingAcquireMaxCount(-1)
                .pendingAcquireTimeout(config.messageDeadline())
                .maxIdleTime(Duration.ofSeconds(60))
                .build();
        HttpClient http = HttpClient.create(pool)
                .baseUrl(config.baseUri().toString())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int)
                        config.connectTimeout().toMillis())
                .responseTimeout(config.responseTimeout())
                .protocol(HttpProtocol.HTTP11);
        if (loops != null) {
            http = http.runOn(loops);
        }
        if (tls && config.insecureTls()) {
            http = http.secure(ssl -> ssl.sslContext(Http11SslContextSpec.forClient()
                    .configure(builder -> builder.trustManager(InsecureTrustManagerFactory.INSTANCE))));
        } else if (tls) {
            http = http.secure();
        }
        http11 = http;
        try {
            http2 = tls || config.h2c() ? new Http2ApiClient(config, loops) : null;
        } catch (SSLException e) {
            throw new IllegalStateException("TLS for the API client: " + e.getMessage(), e);
        }
    }

    /**
     * Sends a request; {@code body} (may be null) is called for each attempt and its buffer released once sent.
     * {@code timeout}, when not null, bounds the wait for the response instead of the configured one.
     */
    Mono<ApiResponse> send(
            HttpMethod method,
            String uri,
            String bearer,
            String contentType,
            Supplier<ByteBuf> body,
            Duration timeout) {
        if (http2 != null && http2.offersHttp2()) {
            return http2.send(method, uri, bearer, contentType, body, timeout)
                    .onErrorResume(
                            Http2ApiClient.NotHttp2Exception.class,
                            notHttp2 -> sendHttp11(method, uri, bearer, contentType, body, timeout));
        }
        return sendHttp11(method, uri, bearer, contentType, body, timeout);
    }

    private Mono<ApiResponse> sendHttp11(
            HttpMethod method,
            String uri,
            String bearer,
            String contentType,
            Supplier<ByteBuf> body,
            Duration timeout) {
        return http11.request(method)
                .uri(uri)
                .send((request, outbound) -> {
                    request.header(HttpHeaderNames.ACCEPT, HttpHeaderValues.APPLICATION_JSON);
                    if (bearer != null) {
                        request.header(HttpHeaderNames.AUTHORIZATION, "Bearer " + bearer);
                    }
                    if (contentType != null) {
                        request.header(HttpHeaderNames.CONTENT_TYPE, contentType);
                    }
                    if (timeout != null) {
                        request.responseTimeout(timeout);
                    }
                    return body == null ? outbound : outbound.send(Mono.fromSupplier(body));
                })
                .responseSingle((response, content) -> content.asByteArray()
                        .defaultIfEmpty(new byte[0])
                        .map(bytes -> new ApiResponse(response.status().code(), response.responseHeaders(), bytes)));
    }

    /** A form-encoded POST (the token endpoint). */
    Mono<ApiResponse> postForm(String uri, String form) {
        byte[] bytes = form.getBytes(StandardCharsets.UTF_8);
        return send(
                HttpMethod.POST,
                uri,
                null,
                "application/x-www-form-urlencoded",
                () -> io.netty.buffer.Unpooled.wrappedBuffer(bytes),
                null);
    }

    @Override
    public void close() {
        if (http2 != null) {
            http2.close();
        }
        pool.dispose();
    }
}
