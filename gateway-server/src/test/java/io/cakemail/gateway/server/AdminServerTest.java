package io.cakemail.gateway.server;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import io.cakemail.gateway.core.api.ApiConfig;
import io.cakemail.gateway.core.api.ApiServices;
import io.cakemail.gateway.core.api.CakemailClient;
import io.cakemail.gateway.server.admin.AdminServer;
import io.cakemail.gateway.server.admin.GatewayHealth;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The admin port's connections: kept alive between requests, closed once idle past the timeout. */
class AdminServerTest {

    private static final Duration IDLE = Duration.ofMillis(500);

    private EventLoopGroup loops;
    private CakemailClient client;
    private AdminServer admin;

    @BeforeEach
    void start() {
        loops = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        client = new CakemailClient(
                ApiConfig.builder(URI.create("http://127.0.0.1:9")).build(), ApiServices.DEFAULT, loops);
        admin = AdminServer.start(
                "127.0.0.1",
                0,
                loops,
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                new GatewayHealth(client),
                IDLE,
                channel -> {});
    }

    @AfterEach
    void stop() {
        admin.close();
        client.close();
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void aConnectionThatNeverSendsARequestIsClosed() throws IOException {
        try (Socket socket = new Socket("127.0.0.1", admin.port())) {
            socket.setSoTimeout(5000);
            long start = System.nanoTime();
            assertThat(socket.getInputStream().read()).as("end of stream").isEqualTo(-1);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(IDLE.minusMillis(50));
        }
    }

    @Test
    void aKeptAliveConnectionCarriesRequestsThenClosesWhenIdle() throws IOException {
        try (Socket socket = new Socket("127.0.0.1", admin.port())) {
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            for (int request = 0; request < 3; request++) {
                out.write("GET /health/live HTTP/1.1\r\nHost: admin\r\n\r\n".getBytes(US_ASCII));
                out.flush();
                assertThat(response(in)).startsWith("HTTP/1.1 200").contains("\"status\":\"UP\"");
            }
            assertThat(in.read()).as("end of stream once idle").isEqualTo(-1);
        }
    }

    /** One response with a {@code content-length} body, read to its end. */
    private static String response(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int next = in.read();
            assertThat(next).as("a response").isNotEqualTo(-1);
            head.append((char) next);
        }
        String lower = head.toString().toLowerCase(java.util.Locale.ROOT);
        int at = lower.indexOf("content-length:") + "content-length:".length();
        int length =
                Integer.parseInt(lower.substring(at, lower.indexOf("\r\n", at)).trim());
        return head + new String(in.readNBytes(length), US_ASCII);
    }
}
