package io.cakemail.gateway.server;

import io.cakemail.gateway.core.submission.TransformConfig;
import io.cakemail.gateway.smtp.SmtpServerConfig;
import io.cakemail.gateway.testing.RecordingReceiver;
import io.cakemail.gateway.testing.TestAuthenticator;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.UnaryOperator;

/**
 * A gateway on ephemeral loopback ports whose authenticator and receiver answer from another thread, as the real
 * ones do, so every test exercises the session's pause and resume.
 */
final class GatewayHarness implements AutoCloseable {

    static final SmtpServerConfig SMTP = SmtpServerConfig.builder().hostname("gateway.test").build();
    static final GatewayConfig.ApiSettings API = new GatewayConfig.ApiSettings(true, 2, Duration.ofSeconds(10),
            "transactional", null);

    final RecordingReceiver receiver;
    final GatewayServer server;
    private final ExecutorService answers = Executors.newSingleThreadExecutor(r -> new Thread(r, "test-answers"));

    GatewayHarness() throws Exception {
        this(10_000, UnaryOperator.identity());
    }

    GatewayHarness(int maxConnections, UnaryOperator<SmtpServerConfig.Builder> smtp) throws Exception {
        this(maxConnections, smtp, null);
    }

    GatewayHarness(int maxConnections, UnaryOperator<SmtpServerConfig.Builder> smtp,
                   java.util.function.Function<RecordingReceiver.Message, io.cakemail.gateway.smtp.SmtpReply> replies)
            throws Exception {
        receiver = new RecordingReceiver(answers, replies == null ? RecordingReceiver::queued : replies);
        GatewayConfig config = new GatewayConfig("127.0.0.1", 0, 0, 0, null, null, Duration.ofSeconds(10),
                URI.create("http://127.0.0.1:1"), false, 0, "127.0.0.1", maxConnections, 2, 256L << 20,
                Duration.ofSeconds(30), smtp.apply(SMTP.toBuilder()).build(),
                TransformConfig.DEFAULT, API);
        server = GatewayServer.start(config, new io.micrometer.core.instrument.simple.SimpleMeterRegistry(), new TestAuthenticator(answers), receiver);
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
