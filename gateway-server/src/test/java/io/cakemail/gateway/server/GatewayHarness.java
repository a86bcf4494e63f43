package io.cakemail.gateway.server;

import io.cakemail.gateway.server.config.GatewayConfig;
import io.cakemail.gateway.server.listen.GatewayServer;
import io.cakemail.gateway.smtp.SmtpServerConfig;
import io.cakemail.gateway.testing.RecordingReceiver;
import io.cakemail.gateway.testing.TestAuthenticator;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.UnaryOperator;

/**
 * A gateway on ephemeral loopback ports whose authenticator and receiver answer from another thread, as the real
 * ones do, so every test exercises the session's pause and resume.
 */
final class GatewayHarness implements AutoCloseable {

    static final SmtpServerConfig SMTP =
            SmtpServerConfig.builder().hostname("gateway.test").build();

    final RecordingReceiver receiver;
    final GatewayServer server;
    private final ExecutorService answers = Executors.newSingleThreadExecutor(r -> new Thread(r, "test-answers"));

    GatewayHarness() throws Exception {
        this(10_000, UnaryOperator.identity());
    }

    GatewayHarness(int maxConnections, UnaryOperator<SmtpServerConfig.Builder> smtp) throws Exception {
        this(maxConnections, smtp, null);
    }

    GatewayHarness(
            int maxConnections,
            UnaryOperator<SmtpServerConfig.Builder> smtp,
            java.util.function.Function<RecordingReceiver.Message, io.cakemail.gateway.smtp.SmtpReply> replies)
            throws Exception {
        receiver = new RecordingReceiver(answers, replies == null ? RecordingReceiver::queued : replies);
        GatewayConfig config = config("GATEWAY_MAX_CONNECTIONS", String.valueOf(maxConnections))
                .withSmtp(smtp.apply(SMTP.toBuilder()).build());
        server = GatewayServer.start(config, new SimpleMeterRegistry(), new TestAuthenticator(answers), receiver);
    }

    /**
     * A configuration for tests, read from the environment as the gateway's is: loopback, ephemeral ports, an API
     * that does not listen, and {@code overrides} ({@code NAME, value} pairs).
     */
    static GatewayConfig config(String... overrides) {
        Map<String, String> env = new HashMap<>(Map.ofEntries(
                Map.entry("GATEWAY_BIND_ADDRESS", "127.0.0.1"),
                Map.entry("GATEWAY_SMTP_PORT", "0"),
                Map.entry("GATEWAY_SMTPS_PORT", "0"),
                Map.entry("GATEWAY_HTTP_PORT", "0"),
                Map.entry("GATEWAY_SANDBOX_PORT", "0"),
                Map.entry("GATEWAY_API_URL", "http://127.0.0.1:1"),
                Map.entry("GATEWAY_API_H2C", "true"),
                Map.entry("GATEWAY_API_MAX_CONNECTIONS", "2"),
                Map.entry("GATEWAY_API_DEADLINE", "10s"),
                Map.entry("GATEWAY_DRAIN_DELAY", "0s"),
                Map.entry("GATEWAY_DRAIN_TIMEOUT", "30s"),
                Map.entry("GATEWAY_IO_THREADS", "2"),
                Map.entry("GATEWAY_MEMORY_BUDGET", "256MiB"),
                Map.entry("GATEWAY_HOSTNAME", "gateway.test")));
        for (int i = 0; i < overrides.length; i += 2) {
            if (overrides[i + 1] == null) {
                env.remove(overrides[i]);
            } else {
                env.put(overrides[i], overrides[i + 1]);
            }
        }
        return GatewayConfig.fromEnvironment(env);
    }

    int port(io.cakemail.gateway.smtp.TlsMode mode) {
        return mode == io.cakemail.gateway.smtp.TlsMode.IMPLICIT ? server.smtpsPort() : server.smtpPort();
    }

    @Override
    public void close() {
        server.close();
        answers.shutdownNow();
    }
}
