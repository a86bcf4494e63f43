package io.cakemail.gateway.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cakemail.gateway.testkit.FreePorts;
import io.cakemail.sandbox.CakemailSandbox;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What a flood repeats at will is logged rate-limited and counted, with the production logging configuration: refused
 * connections (each one line of the limits logger, never a session's closing line nor a session's duration) and
 * malformed requests to the admin port.
 */
class RefusalFloodTest {

    @RegisterExtension
    final Gateways gateways = new Gateways();

    private static final int FLOOD = 200;
    private static final long LINES_ALLOWED = 40; // the burst (20) and two a second for the rest of the test

    @Test
    void refusedConnectionsAndMalformedAdminRequestsAreLoggedRateLimitedAndCounted() throws Exception {
        int adminPort = FreePorts.next();
        CakemailSandbox sandbox = gateways.sandbox();
        ForkedGateway gateway = gateways.forked(
                sandbox,
                "GATEWAY_HTTP_PORT",
                String.valueOf(adminPort),
                "GATEWAY_LIMITS_EXEMPT_CIDRS",
                "192.0.2.0/24",
                "GATEWAY_LIMIT_CONNECTIONS_PER_CLIENT",
                "1");
        try (LineClient holder = await().atMost(Duration.ofSeconds(5))
                .until(() -> greeted(gateway.smtpPort), client -> client != null)) {
            for (int i = 0; i < FLOOD; i++) {
                try (LineClient refused = LineClient.connect(gateway.smtpPort)) {
                    assertThat(refused.reply()).startsWith("421 4.7.0 Too many connections from your address");
                }
                malformedRequest(adminPort);
            }
            String metrics = scrape(adminPort);
            assertThat(value(metrics, "smtp_limits_refused_total\\{limit=\"client_connections\"\\}"))
                    .isGreaterThanOrEqualTo(FLOOD);
            assertThat(value(metrics, "smtp_connection_duration_seconds_count"))
                    .as("refused connections are no sessions: the greeting check's, at most")
                    .isLessThanOrEqualTo(1);
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> gateway.output().contains("Refusing the connection from"));
            String output = gateway.output();
            assertThat(count(output, "Refusing the connection from"))
                    .isPositive()
                    .isLessThanOrEqualTo(LINES_ALLOWED);
            assertThat(count(output, "connection closed")).isLessThanOrEqualTo(1);
            assertThat(count(output, "Decoding failed")).isLessThanOrEqualTo(LINES_ALLOWED);
        }
    }

    /** A connection that was greeted; {@code null} while the start-up check's connection still counts. */
    private static LineClient greeted(int port) throws Exception {
        LineClient client = LineClient.connect(port);
        if (client.reply().startsWith("220 ")) {
            return client;
        }
        client.close();
        return null;
    }

    /** A request whose first line is not HTTP, as a PROXY v2 header before a health check's GET makes it. */
    private static void malformedRequest(int port) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write("\r\n\r\n\0\r\nQUIT\n GET /health HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            in.readAllBytes();
        }
    }

    private static String scrape(int port) throws Exception {
        return HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
    }

    private static double value(String metrics, String series) {
        Matcher matcher = Pattern.compile("(?m)^" + series + " (\\S+)$").matcher(metrics);
        return matcher.find() ? Double.parseDouble(matcher.group(1)) : 0;
    }

    private static long count(String output, String text) {
        return output.lines().filter(line -> line.contains(text)).count();
    }
}
