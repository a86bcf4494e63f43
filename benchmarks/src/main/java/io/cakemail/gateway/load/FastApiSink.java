package io.cakemail.gateway.load;

import io.netty.handler.codec.http.HttpHeaderNames;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.server.HttpServer;

/**
 * A do-almost-nothing Cakemail API for load runs, so they measure the gateway and not a test server: it answers
 * {@code POST /token}, {@code GET /brands/default/senders} (one confirmed sender, {@code sender@example.com}) and
 * {@code POST /v2/emails} (201, queued) without parsing or keeping anything. HTTP/1.1 and h2c.
 *
 * <pre>java -cp benchmarks.jar io.cakemail.gateway.load.FastApiSink [port]</pre>
 */
public final class FastApiSink {

    private static final byte[] TOKEN = ("{\"access_token\":\"sink-token\",\"token_type\":\"bearer\","
                                         + "\"expires_in\":432000,\"refresh_token\":\"sink-refresh\",\"accounts\":[1]}")
            .getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SENDERS = ("{\"pagination\":{\"page\":1,\"per_page\":100},\"data\":[{\"id\":"
                                           + "\"snd-load\",\"name\":\"Load\",\"email\":\"sender@example.com\","
                                           + "\"confirmed\":true}]}").getBytes(StandardCharsets.US_ASCII);

    private FastApiSink() {
    }

    public static void main(String[] args) throws InterruptedException {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 8026;
        AtomicLong ids = new AtomicLong();
        DisposableServer server = HttpServer.create().host("127.0.0.1").port(port)
                .protocol(HttpProtocol.HTTP11, HttpProtocol.H2C)
                .route(routes -> routes
                        .post("/token", (request, response) -> request.receive().then(
                                response.header(HttpHeaderNames.CONTENT_TYPE, "application/json")
                                        .sendByteArray(Mono.just(TOKEN)).then()))
                        .get("/brands/default/senders", (request, response) -> response
                                .header(HttpHeaderNames.CONTENT_TYPE, "application/json")
                                .sendByteArray(Mono.just(SENDERS)))
                        .post("/v2/emails", (request, response) -> request.receive().then(Mono.defer(() -> {
                            byte[] answer = ("{\"email\":\"\",\"object\":\"email\",\"submitted\":true,\"data\":"
                                             + "{\"id\":\"load-" + ids.incrementAndGet() + "\",\"status\":\"queued\"}}")
                                    .getBytes(StandardCharsets.US_ASCII);
                            return response.status(201).header(HttpHeaderNames.CONTENT_TYPE, "application/json")
                                           .sendByteArray(Mono.just(answer)).then();
                        }))))
                .bindNow(Duration.ofSeconds(10));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.disposeNow(Duration.ofSeconds(5));
            stopped.countDown();
        }));
        System.out.println("fast API sink listening on http://127.0.0.1:" + server.port());
        stopped.await();
    }
}
