package io.cakemail.gateway.core.api;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cakemail.sandbox.CakemailSandbox;
import io.cakemail.sandbox.SandboxConfig;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpMethod;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class Http2ApiClientTest {

    @Test
    void aConnectionThatAnswersNothingIsPingedThenClosedBeforeTheDeadline() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread swallower = new Thread(() -> swallow(silent), "silent-api");
            swallower.setDaemon(true);
            swallower.start();
            ApiConfig config = ApiConfig.builder(URI.create("http://127.0.0.1:" + silent.getLocalPort()))
                    .h2c(true)
                    .pingAfterQuiet(Duration.ofMillis(200))
                    .build();
            try (Http2ApiClient client = new Http2ApiClient(config, null)) {
                long start = System.nanoTime();
                assertThatThrownBy(() -> client.send(HttpMethod.GET, "/ping", null, null, null, Duration.ofSeconds(20))
                                .block(Duration.ofSeconds(30)))
                        .hasMessageContaining("answered neither the requests nor a PING");
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
            }
        }
    }

    @Test
    void eachRequestCarriesItsOwnPathAndTokenThoughTheHeadersOfTheLastAreReused() throws Exception {
        try (CakemailSandbox sandbox = CakemailSandbox.start(SandboxConfig.defaults(), "127.0.0.1", 0);
                Http2ApiClient client = new Http2ApiClient(
                        ApiConfig.builder(sandbox.baseUri()).h2c(true).build(), null)) {
            String form = "grant_type=password&username=" + URLEncoder.encode(SandboxConfig.DEFAULT_USERNAME, UTF_8)
                    + "&password=" + URLEncoder.encode(SandboxConfig.DEFAULT_PASSWORD, UTF_8);
            ApiResponse granted = client.send(
                            HttpMethod.POST,
                            "/token",
                            null,
                            "application/x-www-form-urlencoded",
                            () -> Unpooled.copiedBuffer(form, UTF_8),
                            null)
                    .block(Duration.ofSeconds(10));
            String token = granted.json().path("access_token").asText();
            assertThat(token).isNotEmpty();
            String senders = "/brands/default/senders";
            assertThat(status(client, senders, token)).isEqualTo(200);
            assertThat(status(client, senders, token)).isEqualTo(200);
            assertThat(status(client, senders, "not-" + token)).isEqualTo(401);
            assertThat(status(client, senders, token)).isEqualTo(200);
            assertThat(status(client, "/v2/emails/unknown", token)).isEqualTo(404);
            assertThat(sandbox.calls("GET /brands/default/senders")).isEqualTo(4);
        }
    }

    private static int status(Http2ApiClient client, String path, String token) {
        return client.send(HttpMethod.GET, path, token, null, null, null)
                .block(Duration.ofSeconds(10))
                .status();
    }

    /** Reads whatever its clients send, answers nothing, as a peer behind a dead path would. */
    private static void swallow(ServerSocket server) {
        try {
            while (true) {
                Socket client = server.accept();
                Thread reader = new Thread(() -> {
                    try (client) {
                        client.getInputStream().transferTo(OutputStream.nullOutputStream());
                    } catch (IOException e) {
                        // the client closed it
                    }
                });
                reader.setDaemon(true);
                reader.start();
            }
        } catch (IOException e) {
            // the test closed the server
        }
    }
}
