package io.cakemail.gateway.core.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.http.HttpMethod;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class Http2ApiClientTest {

    @Test
    void aConnectionThatAnswersNothingIsPingedThenClosedBeforeTheDeadline() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread swallower = new Thread(() -> swallow(silent), "silent-api");
            swallower.setDaemon(true);
            swallower.start();
            ApiConfig config = ApiConfig.builder(URI.create("http://127.0.0.1:" + silent.getLocalPort())).h2c(true)
                                        .pingAfterQuiet(Duration.ofMillis(200)).build();
            try (Http2ApiClient client = new Http2ApiClient(config, null)) {
                long start = System.nanoTime();
                assertThatThrownBy(() -> client.send(HttpMethod.GET, "/ping", null, null, null, Duration.ofSeconds(20))
                                               .block(Duration.ofSeconds(30)))
                        .hasMessageContaining("answered neither the requests nor a PING");
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
            }
        }
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
