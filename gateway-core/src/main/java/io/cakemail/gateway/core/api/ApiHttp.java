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
import reactor.core.publisher.Mono;
import reactor.netty.http.Http2SslContextSpec;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.client.Http2AllocationStrategy;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * The one HTTP client of the gateway, over one bounded connection pool: HTTP/2 (ALPN over TLS, or h2c when
 * configured) multiplexes every submission over a few connections; HTTP/1.1 otherwise. Never blocks.
 */
final class ApiHttp implements AutoCloseable {

    private final ConnectionProvider pool;
    private final HttpClient client;

    /** @param loops the event loops to run on (the SMTP server's, to save thread hand-overs), or {@code null} */
    ApiHttp(ApiConfig config, EventLoopGroup loops) {
        boolean tls = config.baseUri().getScheme().equals("https");
        boolean http2 = tls || config.h2c();
        ConnectionProvider.Builder poolBuilder = ConnectionProvider.builder("cakemail-api")
                .maxConnections(config.maxConnections())
                .pendingAcquireMaxCount(-1)
                .pendingAcquireTimeout(config.messageDeadline())
                .maxIdleTime(Duration.ofSeconds(60));
        if (http2) {
            poolBuilder.allocationStrategy(Http2AllocationStrategy.builder()
                    .maxConnections(config.maxConnections())
                    .maxConcurrentStreams(config.maxConcurrentStreams())
                    .minConnections(1)
                    .build());
        }
        pool = poolBuilder.build();
        HttpClient http = HttpClient.create(pool)
                .baseUrl(config.baseUri().toString())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) config.connectTimeout().toMillis())
                .responseTimeout(config.responseTimeout());
        if (loops != null) {
            http = http.runOn(loops);
        }
        if (tls) {
            Http2SslContextSpec spec = Http2SslContextSpec.forClient();
            if (config.insecureTls()) {
                spec = spec.configure(builder -> builder.trustManager(InsecureTrustManagerFactory.INSTANCE));
            }
            Http2SslContextSpec sslSpec = spec;
            http = http.protocol(HttpProtocol.H2, HttpProtocol.HTTP11).secure(ssl -> ssl.sslContext(sslSpec));
        } else {
            http = http.protocol(config.h2c() ? HttpProtocol.H2C : HttpProtocol.HTTP11);
        }
        client = http;
    }

    /**
     * Sends a request; {@code body} (may be null) is called for each attempt and its buffer released once sent.
     * {@code timeout}, when not null, bounds the wait for the response instead of the configured one.
     */
    Mono<ApiResponse> send(HttpMethod method, String uri, String bearer, String contentType, Supplier<ByteBuf> body,
                           Duration timeout) {
        return client.request(method)
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
        return send(HttpMethod.POST, uri, null, "application/x-www-form-urlencoded",
                () -> io.netty.buffer.Unpooled.wrappedBuffer(bytes), null);
    }

    @Override
    public void close() {
        pool.dispose();
    }
}
