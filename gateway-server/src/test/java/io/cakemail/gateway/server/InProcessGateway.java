package io.cakemail.gateway.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.cakemail.gateway.smtp.TlsMode;
import io.cakemail.gateway.testkit.ApiContract;
import io.cakemail.sandbox.CakemailSandbox;
import io.cakemail.sandbox.SandboxConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The whole gateway in the test's JVM on ephemeral loopback ports, talking to a sandbox over h2c: its own embedded
 * one, or one the test controls (to stop and restart it). Every request the sandbox received must conform to the
 * API contract. Started by {@link Gateways#inProcess}.
 */
final class InProcessGateway implements AutoCloseable {

    static final String USER = SandboxConfig.DEFAULT_USERNAME;
    static final String PASSWORD = SandboxConfig.DEFAULT_PASSWORD;

    final Gateway gateway;
    final CakemailSandbox sandbox;
    final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final AtomicBoolean closed = new AtomicBoolean();

    /** The gateway with its embedded sandbox, and {@code settings} ({@code GATEWAY_* name, value} pairs). */
    InProcessGateway(String... settings) throws Exception {
        gateway = Gateway.start(
                Gateways.config(with(settings, "GATEWAY_SANDBOX", "true", "GATEWAY_API_URL", null)), registry);
        sandbox = gateway.sandbox();
    }

    /** The gateway with {@code external} as its API, and {@code settings}. */
    InProcessGateway(CakemailSandbox external, String... settings) throws Exception {
        gateway = Gateway.start(
                Gateways.config(
                        with(settings, "GATEWAY_API_URL", external.baseUri().toString())),
                registry);
        sandbox = external;
    }

    private static String[] with(String[] settings, String... more) {
        String[] all = java.util.Arrays.copyOf(more, more.length + 2 + settings.length);
        all[more.length] = "GATEWAY_MAX_CONNECTIONS";
        all[more.length + 1] = "100";
        System.arraycopy(settings, 0, all, more.length + 2, settings.length);
        return all;
    }

    int port(TlsMode mode) {
        return mode == TlsMode.IMPLICIT
                ? gateway.server().smtpsPort()
                : gateway.server().smtpPort();
    }

    /** A TLS session past AUTH, ready for MAIL. */
    LineClient authenticatedClient() throws IOException {
        return LineClient.authenticated(gateway.server().smtpsPort(), USER, PASSWORD);
    }

    /** Sends one message over {@code client} and returns the reply to its end. */
    static String send(LineClient client, String from, String message, String... recipients) throws IOException {
        client.send("MAIL FROM:<" + from + ">\r\n");
        assertThat(client.reply()).startsWith("250");
        for (String recipient : recipients) {
            client.send("RCPT TO:<" + recipient + ">\r\n");
            assertThat(client.reply()).startsWith("250");
        }
        assertThat(client.command("DATA")).startsWith("354");
        client.send(message.replace("\r\n.", "\r\n..") + "\r\n.\r\n");
        return client.reply();
    }

    static String plain(String username, String password) {
        return Base64.getEncoder().encodeToString(("\0" + username + "\0" + password).getBytes(StandardCharsets.UTF_8));
    }

    double counter(String name, String... tags) {
        var counter = registry.find(name).tags(tags).counter();
        return counter == null ? 0 : counter.count();
    }

    /** Every request the gateway sent conforms to the API contract. */
    void assertContract() throws IOException {
        for (JsonNode request : sandbox.submissions()) {
            assertThat(ApiContract.violations(request)).as(request.toString()).isEmpty();
        }
    }

    /** Drains and stops, as the gateway does; a second call does nothing. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            gateway.close();
        }
    }
}
