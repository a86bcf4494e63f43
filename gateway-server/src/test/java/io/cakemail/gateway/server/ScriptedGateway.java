package io.cakemail.gateway.server;

import io.cakemail.gateway.server.listen.GatewayServer;
import io.cakemail.gateway.smtp.SmtpReply;
import io.cakemail.gateway.smtp.SmtpServerConfig;
import io.cakemail.gateway.smtp.TlsMode;
import io.cakemail.gateway.testing.RecordingReceiver;
import io.cakemail.gateway.testing.TestAuthenticator;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * The gateway's listeners (TLS, PROXY, limits, sessions) with scripted services instead of the Cakemail bridge: an
 * authenticator that knows one test user and a receiver that records every message and answers as the test says.
 * By default both answer from another thread, as the real ones do, so every test exercises the session's pause and
 * resume. Started by {@link Gateways#scripted}.
 */
final class ScriptedGateway implements AutoCloseable {

    final RecordingReceiver receiver;
    final GatewayServer server;
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final ExecutorService answers = Executors.newSingleThreadExecutor(r -> new Thread(r, "test-answers"));
    private final AtomicBoolean closed = new AtomicBoolean();

    private ScriptedGateway(Spec spec) throws Exception {
        TestAuthenticator authenticator =
                spec.immediate ? TestAuthenticator.immediate() : new TestAuthenticator(answers);
        receiver = spec.immediate ? RecordingReceiver.accepting() : new RecordingReceiver(answers, spec.replies);
        var config = Gateways.config(spec.settings.toArray(String[]::new));
        config = config.withSmtp(spec.smtp.apply(config.smtp().toBuilder()).build());
        server = GatewayServer.start(config, registry, authenticator, receiver);
    }

    /** What a test may change: settings, the SMTP configuration beyond them, the replies, the services' thread. */
    static Spec spec() {
        return new Spec();
    }

    int port(TlsMode mode) {
        return mode == TlsMode.IMPLICIT ? server.smtpsPort() : server.smtpPort();
    }

    /** Drains and stops, as the gateway does; a second call does nothing. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            server.close();
            answers.shutdownNow();
        }
    }

    /** How {@link Gateways#scripted(Spec)} starts a scripted gateway. */
    static final class Spec {
        private final List<String> settings = new ArrayList<>();
        private UnaryOperator<SmtpServerConfig.Builder> smtp = UnaryOperator.identity();
        private Function<RecordingReceiver.Message, SmtpReply> replies = RecordingReceiver::queued;
        private boolean immediate;

        /** A setting ({@code GATEWAY_*} name and value) over the test defaults. */
        Spec with(String name, String value) {
            settings.add(name);
            settings.add(value);
            return this;
        }

        /** What the settings cannot change, such as whether AUTH is required. */
        Spec smtp(UnaryOperator<SmtpServerConfig.Builder> smtp) {
            this.smtp = smtp;
            return this;
        }

        /** The receiver's reply to each message (default: queued). */
        Spec replies(Function<RecordingReceiver.Message, SmtpReply> replies) {
            this.replies = replies;
            return this;
        }

        /** Services that answer at once on the session's own thread, accepting every message. */
        Spec immediate() {
            this.immediate = true;
            return this;
        }

        ScriptedGateway start() throws Exception {
            return new ScriptedGateway(this);
        }
    }
}
