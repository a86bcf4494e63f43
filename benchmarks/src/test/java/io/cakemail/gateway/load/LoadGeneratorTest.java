package io.cakemail.gateway.load;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cakemail.gateway.core.transform.MessageTransformer;
import io.cakemail.gateway.core.transform.TransformConfig;
import io.cakemail.gateway.core.transform.TransformResult;
import io.cakemail.gateway.smtp.AuthResult;
import io.cakemail.gateway.smtp.MessageReceiver;
import io.cakemail.gateway.smtp.MessageSink;
import io.cakemail.gateway.smtp.SmtpChannelInitializer;
import io.cakemail.gateway.smtp.SmtpReply;
import io.cakemail.gateway.smtp.SmtpServerConfig;
import io.cakemail.gateway.smtp.SmtpServices;
import io.cakemail.gateway.smtp.TlsHandlerFactory;
import io.cakemail.gateway.smtp.TlsMode;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.SelfSignedCertificate;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The load generator against the gateway's SMTP engine over loopback (TLS, AUTH PLAIN), with a receiver that
 * accepts one-recipient messages and answers 451 to the others, so every count in the report can be checked
 * against what the server did.
 */
class LoadGeneratorTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static EventLoopGroup group;
    private static final AtomicLong accepted = new AtomicLong();
    private static final AtomicLong withAttachments = new AtomicLong();
    private static final AtomicLong textOnly = new AtomicLong();
    private static final AtomicLong refused = new AtomicLong();
    private static int implicitPort;
    private static int startTlsPort;
    private static int transformingPort;

    @BeforeAll
    static void startServers() throws Exception {
        SelfSignedCertificate certificate = new SelfSignedCertificate("localhost");
        TlsHandlerFactory tls = TlsHandlerFactory.of(
                SslContextBuilder.forServer(certificate.key(), certificate.cert())
                        .build(),
                Duration.ofSeconds(10));
        group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        MessageReceiver counting =
                envelope -> new CountingSink(envelope.recipients().size());
        implicitPort = listen(TlsMode.IMPLICIT, tls, counting);
        startTlsPort = listen(TlsMode.STARTTLS, tls, counting);
        transformingPort = listen(
                TlsMode.IMPLICIT,
                tls,
                envelope -> new TransformingSink(
                        new MessageTransformer(TransformConfig.DEFAULT, PooledByteBufAllocator.DEFAULT)));
    }

    @AfterAll
    static void stopServers() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @ParameterizedTest
    @CsvSource({"implicit", "starttls"})
    void reportsWhatTheServerAnsweredMessageByMessage(String tls) throws Exception {
        int port = tls.equals("implicit") ? implicitPort : startTlsPort;
        long acceptedBefore = accepted.get();

        JsonNode report = run(
                "--port",
                String.valueOf(port),
                "--tls",
                tls,
                "--auth",
                "load@example.com:secret",
                "--connections",
                "4",
                "--messages-per-connection",
                "25",
                "--recipients",
                "1:50,2:50",
                "--size",
                "512:50,4096:50",
                "--warmup",
                "0",
                "--count",
                "200",
                "--gateway-pid",
                String.valueOf(ProcessHandle.current().pid()));

        long messages = report.get("messages").asLong();
        assertThat(messages).isGreaterThanOrEqualTo(200);
        assertThat(accepted.get() - acceptedBefore).isGreaterThanOrEqualTo(messages);
        // only one-recipient messages are accepted, the others are answered 451 and counted by that code
        assertThat(report.get("recipients_per_second").asDouble())
                .isEqualTo(report.get("messages_per_second").asDouble());
        assertThat(report.get("errors_by_code").fieldNames()).toIterable().containsExactly("451");
        assertThat(report.get("errors").asLong()).isPositive();
        // 25 messages per connection: connections are replaced, each authenticating again
        assertThat(report.get("authenticated_sessions").asLong()).isGreaterThanOrEqualTo(messages / 25);
        assertThat(report.get("p50_ms").asDouble()).isPositive();
        assertThat(report.get("p99_ms").asDouble())
                .isGreaterThanOrEqualTo(report.get("p50_ms").asDouble());
        assertThat(report.get("peak_rss_mib").asDouble()).isPositive();
        assertThat(report.get("tls").asText()).isEqualTo(tls);
        assertThat(report.get("model").asText()).isEqualTo("closed");
    }

    @Test
    void mixedContentAlternatesTextAndAttachmentsTheGatewayAccepts() throws Exception {
        JsonNode report = run(
                "--port",
                String.valueOf(transformingPort),
                "--auth",
                "load@example.com:secret",
                "--connections",
                "2",
                "--size",
                "2000:50,300000:50",
                "--content",
                "mixed",
                "--warmup",
                "0",
                "--count",
                "40");

        assertThat(report.get("errors").asLong()).isZero();
        assertThat(report.get("content").asText()).isEqualTo("mixed");
        assertThat(refused).hasValue(0);
        assertThat(withAttachments.get()).isPositive();
        assertThat(textOnly.get()).isPositive();
    }

    @Test
    void theOpenModelOffersTheRateAskedFor() throws Exception {
        JsonNode report = run(
                "--port",
                String.valueOf(implicitPort),
                "--auth",
                "load@example.com:secret",
                "--connections",
                "4",
                "--warmup",
                "1",
                "--duration",
                "3",
                "--rate",
                "200");

        assertThat(report.get("model").asText()).isEqualTo("open");
        assertThat(report.get("errors").asLong()).isZero();
        // offered = sent (completed or in flight) + not yet sent, however fast the server answers
        double offered = (report.get("messages").asLong()
                        + report.get("open_model_backlog").asLong())
                / report.get("duration_s").asDouble();
        assertThat(offered).isBetween(150.0, 250.0);
        assertThat(report.get("messages_per_second").asDouble()).isPositive().isLessThan(250.0);
    }

    @Test
    void aRunThatCompletesNoMessageSaysSoInsteadOfLookingClean() throws Exception {
        int closed;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = socket.getLocalPort();
        }

        JsonNode report =
                run("--port", String.valueOf(closed), "--connections", "2", "--warmup", "0", "--duration", "1");

        assertThat(report.get("messages").asLong()).isZero();
        assertThat(report.get("errors_by_code").has("no message completed")).isTrue();
        assertThat(report.get("errors_by_code").has("connect: ConnectException"))
                .isTrue();
    }

    private static JsonNode run(String... args) throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        LoadGenerator.run(LoadOptions.parse(args), new PrintStream(printed, true, StandardCharsets.UTF_8));
        String[] lines = printed.toString(StandardCharsets.UTF_8).strip().split("\n");
        return JSON.readTree(lines[lines.length - 1]);
    }

    private static int listen(TlsMode mode, TlsHandlerFactory tls, MessageReceiver receiver)
            throws InterruptedException {
        SmtpServerConfig config =
                SmtpServerConfig.builder().hostname("localhost").build();
        Channel server = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new SmtpChannelInitializer(
                        config,
                        SmtpServices.of(
                                (session, username, password) -> CompletableFuture.completedFuture(
                                        username.equals("load@example.com") && password.equals("secret")
                                                ? AuthResult.success(() -> username)
                                                : AuthResult.rejected()),
                                receiver),
                        mode,
                        tls))
                .bind("127.0.0.1", 0)
                .sync()
                .channel();
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    /** Transforms each message as the gateway does, counting those with attachments and those refused. */
    private record TransformingSink(MessageTransformer transformer) implements MessageSink {
        @Override
        public void content(ByteBuf chunk) {
            transformer.feed(chunk);
        }

        @Override
        public CompletionStage<SmtpReply> end() {
            TransformResult result = transformer.finish();
            if (result instanceof TransformResult.Transformed transformed) {
                (transformed.message().attachments().isEmpty() ? textOnly : withAttachments).incrementAndGet();
                transformed.message().release();
            } else {
                refused.incrementAndGet();
            }
            return CompletableFuture.completedFuture(SmtpReply.of(250, "2.0.0", "Transformed"));
        }

        @Override
        public void abort() {
            transformer.close();
        }
    }

    /** Accepts a message to one recipient, defers the others. */
    private record CountingSink(int recipients) implements MessageSink {
        @Override
        public void content(ByteBuf chunk) {}

        @Override
        public CompletionStage<SmtpReply> end() {
            if (recipients > 1) {
                return CompletableFuture.completedFuture(SmtpReply.of(451, "4.3.0", "Only one recipient, please"));
            }
            accepted.incrementAndGet();
            return CompletableFuture.completedFuture(SmtpReply.of(250, "2.0.0", "Accepted"));
        }

        @Override
        public void abort() {}
    }
}
