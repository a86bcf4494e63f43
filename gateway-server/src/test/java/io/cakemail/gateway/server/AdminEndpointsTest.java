package io.cakemail.gateway.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cakemail.gateway.smtp.TlsMode;
import io.cakemail.gateway.testkit.Await;
import io.cakemail.sandbox.Fault;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The operator's HTTP port, read with curl: Prometheus metrics after real SMTP traffic, and probes through a drain. */
class AdminEndpointsTest {

    @RegisterExtension
    final Gateways gateways = new Gateways();

    @Test
    void metricsMoveWithRealTraffic(@TempDir Path dir) throws Exception {
        InProcessGateway harness = gateways.inProcess();
        String before = curl(harness, "/metrics").output();
        assertThat(value(before, "gateway_recipients_total{outcome=\"queued\"}"))
                .isZero();
        assertThat(value(before, "smtp_circuit_breaker_state")).isZero();
        assertThat(value(before, "smtp_active_connections")).isZero();
        assertThat(value(before, "smtp_emails_received_total")).isZero();
        assertThat(value(before, "smtp_connections_total{listener=\"smtp\"}")).isZero();

        Path mail = Files.writeString(
                dir.resolve("mail.eml"),
                "From: sandbox@example.com\r\nTo: one@example.net\r\nSubject: Metrics\r\n\r\nHello\r\n");
        ExternalClient.Result sent = ExternalClient.curlSend(
                "smtp://127.0.0.1:" + harness.port(TlsMode.STARTTLS),
                InProcessGateway.USER + ":" + InProcessGateway.PASSWORD,
                "sandbox@example.com",
                mail,
                "one@example.net",
                "two@example.net");
        assertThat(sent.exitCode()).as(sent.output()).isZero();

        ExternalClient.Result refused = ExternalClient.curlSend(
                "smtp://127.0.0.1:" + harness.port(TlsMode.STARTTLS),
                InProcessGateway.USER + ":wrong",
                "sandbox@example.com",
                mail,
                "one@example.net");
        assertThat(refused.exitCode()).as(refused.output()).isNotZero();

        String after = curl(harness, "/metrics").output();
        assertThat(after).contains("# TYPE gateway_recipients_total counter");
        assertThat(value(after, "gateway_recipients_total{outcome=\"queued\"}")).isEqualTo(2);
        assertThat(value(after, "smtp_emails_forwarded_total")).isEqualTo(2);
        assertThat(value(after, "smtp_emails_received_total")).isEqualTo(1);
        assertThat(value(after, "smtp_message_size_bytes_count")).isEqualTo(1);
        assertThat(value(after, "smtp_message_size_bytes_sum")).isEqualTo(Files.size(mail));
        assertThat(value(after, "smtp_connections_total{listener=\"smtp\"}")).isEqualTo(2);
        assertThat(value(after, "smtp_connections_total{listener=\"smtps\"}")).isZero();
        assertThat(value(after, "smtp_auth_failures_total")).isEqualTo(1);
        assertThat(value(after, "smtp_replies_total{code=\"3xx\",command=\"DATA\"}"))
                .isEqualTo(1);
        assertThat(value(after, "smtp_replies_total{code=\"2xx\",command=\"DATA\"}"))
                .isEqualTo(1);
        assertThat(value(after, "smtp_replies_total{code=\"2xx\",command=\"none\"}"))
                .as("the greetings")
                .isEqualTo(2);
        assertThat(value(after, "smtp_replies_total{code=\"5xx\",command=\"AUTH\"}"))
                .isEqualTo(1);
        assertThat(value(after, "smtp_processing_duration_seconds_count")).isEqualTo(1);
        assertThat(value(after, "smtp_processing_duration_seconds_bucket{le=\"30.0\"}"))
                .isEqualTo(1);
        assertThat(value(after, "smtp_api_latency_seconds_count"))
                .as("a token, the senders, two submissions, a refused login")
                .isGreaterThanOrEqualTo(5);
        assertThat(value(after, "smtp_api_errors_total{error_type=\"status_4xx\"}"))
                .as("the refused login")
                .isGreaterThanOrEqualTo(1);
        assertThat(value(after, "smtp_api_errors_total{error_type=\"timeout\"}"))
                .isZero();
        assertThat(value(after, "smtp_api_requests_in_flight")).isZero();
        assertThat(value(after, "smtp_api_token_cache_size")).isGreaterThanOrEqualTo(1);
        assertThat(value(after, "smtp_tls_certificate_expiry_seconds"))
                .as("the self-signed certificate, valid a year")
                .isBetween(364 * 86400.0, 365 * 86400.0);
        assertThat(value(after, "smtp_tls_reloads_total{outcome=\"failure\"}")).isZero();
        assertThat(after)
                .contains("jvm_memory_used_bytes{")
                .contains("netty_allocator_memory_used{")
                .contains("jvm_gc_memory_allocated_bytes_total")
                .contains("process_cpu_usage");
        String closed = Await.value( // the server sees the second connection close a moment after curl ends
                "both connections' durations",
                Duration.ofSeconds(5),
                () -> curl(harness, "/metrics").output(),
                metrics -> value(metrics, "smtp_connection_duration_seconds_count") >= 2);
        assertThat(value(closed, "smtp_connection_duration_seconds_count")).isEqualTo(2);
    }

    @Test
    void readinessFailsFromTheMomentADrainStartsWhileLivenessHolds() throws Exception {
        InProcessGateway harness = gateways.inProcess();
        assertThat(curl(harness, "/health/ready").output()).isEqualTo("200 {\"status\":\"UP\"}");
        JsonNode details =
                new ObjectMapper().readTree(curl(harness, "/health").output().substring(4));
        assertThat(details.path("status").asText()).isEqualTo("UP");
        assertThat(details.at("/listeners/smtps").asInt()).isEqualTo(harness.port(TlsMode.IMPLICIT));
        assertThat(details.at("/api/circuit_breaker").asText()).isEqualTo("CLOSED");

        harness.sandbox.faults().add(Fault.latency("/v2/emails", 3000));
        try (LineClient client = harness.authenticatedClient()) {
            client.send("MAIL FROM:<sandbox@example.com>\r\nRCPT TO:<slow@example.net>\r\nDATA\r\n");
            client.reply();
            client.reply();
            client.reply();
            client.send("From: sandbox@example.com\r\nSubject: Slow\r\n\r\nDuring the drain\r\n.\r\n");
            Await.until(
                    "the message at the API",
                    Duration.ofSeconds(10),
                    () -> harness.sandbox.calls("POST /v2/emails") > 0);
            CompletableFuture<Void> closing = CompletableFuture.runAsync(harness::close);
            String ready = Await.value( // the drain starts on another thread
                    "readiness failing",
                    Duration.ofSeconds(10),
                    () -> curl(harness, "/health/ready").output(),
                    answer -> !answer.startsWith("200"));
            assertThat(ready).isEqualTo("503 {\"status\":\"DRAINING\"}");
            assertThat(curl(harness, "/health/live").output()).isEqualTo("200 {\"status\":\"UP\"}");
            assertThat(client.reply()).startsWith("250 2.0.0 Ok: queued as ");
            closing.join();
        }
    }

    /** {@code path} on the admin port: the status code, a space, and the body. */
    private static ExternalClient.Result curl(InProcessGateway harness, String path) throws Exception {
        ExternalClient.Result result = ExternalClient.run(List.of(
                "curl",
                "-sS",
                "--max-time",
                "10",
                "-w",
                "\n%{http_code}",
                "http://127.0.0.1:" + harness.gateway.httpPort() + path));
        assertThat(result.exitCode()).as(result.output()).isZero();
        String output = result.output();
        int lastLine = output.lastIndexOf('\n');
        return new ExternalClient.Result(
                result.exitCode(), output.substring(lastLine + 1) + " " + output.substring(0, lastLine));
    }

    /** The value of one series in a Prometheus text exposition, or NaN when it is absent. */
    private static double value(String exposition, String series) {
        for (String line : exposition.split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(series.length() + 1).trim());
            }
        }
        return Double.NaN;
    }
}
