package io.cakemail.gateway.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.cakemail.gateway.testkit.Await;
import io.cakemail.sandbox.CakemailSandbox;
import io.cakemail.sandbox.SandboxConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The gateway in a process of its own with a small heap, against hostile and heavy clients over real sockets: a
 * client that never reads its replies, sixteen large messages at once, bodies that grow when decoded or escaped.
 * Every message gets a reply (250, a 4xx to retry later, or a 5xx saying why it can never go), memory stays within
 * bounds, nothing leaks, and SIGTERM still ends the process.
 */
class ExhaustionTest {

    @RegisterExtension
    final Gateways gateways = new Gateways();

    private static final long MIB = 1024 * 1024;
    /** Leak detection on every buffer, without Netty's access records, which would slow large messages tenfold. */
    private static final List<String> LEAK_DETECTION =
            List.of("-Dio.netty.leakDetection.level=simple", "-Dio.netty.leakDetection.samplingInterval=1");

    private CakemailSandbox sandbox;
    private ForkedGateway gateway;

    @BeforeEach
    void startSandbox() throws Exception {
        sandbox = gateways.sandbox();
    }

    /** Samples the gateway's resident memory while a flood runs, and tells when the flood has stalled. */
    private final class FloodWatch {
        private final NoopFlood flood;
        private long mostResident;
        private long seen = -1;
        private long stalledSince = System.nanoTime();

        FloodWatch(NoopFlood flood, long before) {
            this.flood = flood;
            this.mostResident = before;
        }

        /** Whether the flood has written nothing for half a second; each call samples the memory. */
        boolean stalled() throws IOException {
            mostResident = Math.max(mostResident, gateway.residentBytes());
            if (flood.written.get() != seen) {
                seen = flood.written.get();
                stalledSince = System.nanoTime();
            }
            return System.nanoTime() - stalledSince >= TimeUnit.MILLISECONDS.toNanos(500);
        }
    }

    @Test
    void aClientThatNeverReadsItsRepliesIsClosedWhileOthersAreServed() throws Exception {
        gateway = start("-Xmx64m", "GATEWAY_WRITE_TIMEOUT", "3s");
        assertThat(send(1, "small")).containsExactly("250");
        long before = gateway.residentBytes();

        NoopFlood flood = new NoopFlood(gateway.smtpPort);
        CompletableFuture<Void> flooding = CompletableFuture.runAsync(flood);
        FloodWatch watch = new FloodWatch(flood, before);
        Await.value(
                "the flood stalled half a second: the server stopped reading",
                Duration.ofSeconds(60),
                Duration.ofMillis(50),
                watch::stalled,
                stalled -> stalled);
        long most = watch.mostResident;
        long stalled = System.nanoTime();
        assertThat(send(1, "small"))
                .as("another client, while the flood is stalled")
                .containsExactly("250");
        flooding.get(30, TimeUnit.SECONDS);
        assertThat(flood.closedBy).as("the server closed the flood").isInstanceOf(IOException.class);
        assertThat(Duration.ofNanos(flood.closedAt - stalled)).isLessThan(Duration.ofSeconds(10));
        assertThat(flood.written.get())
                .as("octets the flood could send: the server stopped reading")
                .isLessThan(64 * MIB);
        assertThat(most - before).as("resident memory growth during the flood").isLessThan(48 * MIB);
        for (int i = 0; i < 20; i++) {
            assertThat(gateway.greets())
                    .as("new connection %d after the flood", i)
                    .isTrue();
        }
        assertThat(gateway.output()).contains("its replies stayed unread");
        assertThat(gateway.terminate(Duration.ofSeconds(20)))
                .as("SIGTERM ends the process")
                .isTrue();
        assertThat(gateway.output()).doesNotContain("LEAK", "OutOfMemoryError");
    }

    @Test
    void sixteenLargeMessagesAtOnceEachGetAReplyAndLargeMailIsAcceptedAfterwards() throws Exception {
        gateway = start("-Xmx256m");
        List<String> replies = send(16, "pdfs");
        assertThat(replies).hasSize(16).allSatisfy(reply -> assertThat(reply).matches("250|452"));
        assertThat(replies).contains("250");
        assertThat(send(1, "pdfs")).as("a large message after the burst").containsExactly("250");
        assertThat(sandbox.inbox().emails())
                .hasSize((int) replies.stream().filter("250"::equals).count() + 1);
        assertNoLeakOrOutOfMemory();
    }

    @Test
    void bodiesThatGrowWhenDecodedOrEscapedAreBoundedAndOneThatCanNeverFitIsRefusedForGood() throws Exception {
        gateway = start("-Xmx256m");
        assertThat(send(2, "latin2")).allSatisfy(reply -> assertThat(reply).matches("250|452"));
        List<String> control = sendFull(1, "control");
        assertThat(control)
                .containsExactly("552 5.3.4 the message's bodies and attachments are larger than 41943040"
                        + " octets once encoded for the Cakemail API");
        assertThat(send(1, "small")).containsExactly("250");
        assertNoLeakOrOutOfMemory();
    }

    private ForkedGateway start(String heap, String... settings) throws Exception {
        List<String> options = new java.util.ArrayList<>(LEAK_DETECTION);
        options.add(heap);
        return gateways.forked(List.of(), options, sandbox, settings);
    }

    private void assertNoLeakOrOutOfMemory() throws Exception {
        gateway.collectGarbage();
        assertThat(send(1, "small"))
                .as("a message after the collection, so the detector reports")
                .containsExactly("250");
        assertThat(gateway.output()).doesNotContain("LEAK", "OutOfMemoryError", "Exception");
    }

    /** The reply codes, one per message. */
    private List<String> send(int count, String kind) throws Exception {
        return sendFull(count, kind).stream()
                .map(reply -> reply.startsWith("dropped") ? reply : reply.substring(0, 3))
                .toList();
    }

    /** The replies, one per message, or {@code dropped: ...} for a message whose connection failed. */
    private List<String> sendFull(int count, String kind) throws Exception {
        ExternalClient.Result result = ExternalClient.run(List.of(
                "python3",
                script(),
                String.valueOf(gateway.smtpPort),
                SandboxConfig.DEFAULT_USERNAME,
                SandboxConfig.DEFAULT_PASSWORD,
                String.valueOf(count),
                kind));
        assertThat(result.exitCode()).as(result.output()).isZero();
        return Arrays.stream(result.output().split("\n"))
                .filter(line -> !line.isBlank())
                .toList();
    }

    private static String script() throws URISyntaxException {
        return Path.of(ExhaustionTest.class
                        .getResource("/clients/send_concurrently.py")
                        .toURI())
                .toString();
    }

    /** Pipelines NOOP without ever reading a reply, until the server closes the connection. */
    private static final class NoopFlood implements Runnable {
        final AtomicLong written = new AtomicLong();
        private final int port;
        volatile IOException closedBy;
        volatile long closedAt;

        NoopFlood(int port) {
            this.port = port;
        }

        @Override
        public void run() {
            byte[] noops = "NOOP\r\n".repeat(1000).getBytes(StandardCharsets.US_ASCII);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            try (Socket socket = new Socket("127.0.0.1", port)) {
                InputStream in = socket.getInputStream();
                while (in.read() != '\n') {
                    // the greeting; nothing is read after it
                }
                OutputStream out = socket.getOutputStream();
                while (System.nanoTime() < deadline) {
                    out.write(noops);
                    written.addAndGet(noops.length);
                }
            } catch (IOException e) {
                closedBy = e;
                closedAt = System.nanoTime();
            }
        }
    }
}
