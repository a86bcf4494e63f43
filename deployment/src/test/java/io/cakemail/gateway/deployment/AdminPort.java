package io.cakemail.gateway.deployment;

import io.cakemail.gateway.testkit.Await;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A gateway's operator port on loopback: its readiness and its Prometheus scrape. */
record AdminPort(int port) {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /** Waits until {@code /health/ready} answers 200; {@code what} names the gateway in the failure. */
    void awaitReady(String what, Duration atMost) {
        HttpRequest ready = request("/health/ready");
        Await.value(
                what + " ready",
                atMost,
                () -> HTTP.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode(),
                status -> status == 200);
    }

    /** The text of {@code /metrics}. */
    String metrics() throws Exception {
        return HTTP.send(request("/metrics"), HttpResponse.BodyHandlers.ofString())
                .body();
    }

    private HttpRequest request(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(5))
                .build();
    }
}
