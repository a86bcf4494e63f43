package io.cakemail.gateway.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.cakemail.gateway.smtp.SmtpReply;
import io.cakemail.gateway.testing.TestAuthenticator;
import io.cakemail.gateway.testkit.Await;
import io.cakemail.gateway.testkit.FreePorts;
import io.cakemail.sandbox.CakemailSandbox;
import io.cakemail.sandbox.Fault;
import io.cakemail.sandbox.Inbox;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class GracefulShutdownTest {

    @RegisterExtension
    final Gateways gateways = new Gateways();

    @Test
    void idleSessionsAreToldAndClosed() throws Exception {
        ScriptedGateway gateway = gateways.scripted();
        try (LineClient client = LineClient.connect(gateway.server.smtpPort())) {
            client.reply();
            assertThat(client.command("EHLO client.test")).startsWith("250-");
            gateway.close();
            assertThat(client.reply()).isEqualTo("421 4.3.2 Service shutting down, try again later");
            assertThat(client.readToEnd()).isEmpty();
        }
    }

    /** The drain lasts at least the API deadline: a message the API accepts late still gets its 250, and only once. */
    @Test
    void aMessageTheApiAcceptsDuringTheDrainGetsItsReplyAndIsSentOnce() throws Exception {
        InProcessGateway harness = gateways.inProcess();
        harness.sandbox.faults().add(Fault.latency("/v2/emails", 1500));
        try (LineClient client = harness.authenticatedClient()) {
            client.send("MAIL FROM:<sandbox@example.com>\r\nRCPT TO:<late@example.net>\r\nDATA\r\n");
            client.reply();
            client.reply();
            client.reply();
            client.send("From: sandbox@example.com\r\nSubject: Late\r\n\r\nAccepted during the drain\r\n.\r\n");
            Await.until(
                    "the message at the API",
                    Duration.ofSeconds(10),
                    () -> harness.sandbox.calls("POST /v2/emails") > 0);
            CompletableFuture<Void> closing = CompletableFuture.runAsync(harness::close);
            assertThat(client.reply()).startsWith("250 2.0.0 Ok: queued as ");
            assertThat(client.reply()).isEqualTo("421 4.3.2 Service shutting down, try again later");
            assertThat(client.readToEnd()).isEmpty();
            closing.get(30, TimeUnit.SECONDS);
        }
        assertThat(harness.sandbox.inbox().emails())
                .extracting(email -> email.recipient())
                .containsExactly("late@example.net");
    }

    @Test
    void aSessionWaitingForItsReplyGetsItBeforeTheClose() throws Exception {
        CountDownLatch handedOver = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ScriptedGateway gateway = gateways.scripted(ScriptedGateway.spec()
                .with("GATEWAY_MAX_CONNECTIONS", "10")
                .replies(message -> {
                    handedOver.countDown();
                    try {
                        release.await(20, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return SmtpReply.of(250, "2.0.0", "Queued late");
                }));
        try (LineClient client = LineClient.connectTls(gateway.server.smtpsPort())) {
            client.reply();
            client.command("EHLO client.test");
            client.command("AUTH PLAIN "
                    + Base64.getEncoder()
                            .encodeToString(("\0" + TestAuthenticator.USERNAME + "\0" + TestAuthenticator.PASSWORD)
                                    .getBytes(StandardCharsets.UTF_8)));
            client.send("MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.com>\r\nDATA\r\n");
            client.reply();
            client.reply();
            client.reply();
            client.send("hello\r\n.\r\n");
            assertThat(handedOver.await(10, TimeUnit.SECONDS)).isTrue();
            int port = gateway.server.smtpPort();
            CompletableFuture<Void> closing = CompletableFuture.runAsync(gateway::close);
            Await.until("the listeners closed, the sessions told", Duration.ofSeconds(10), () -> {
                try (java.net.Socket refused = new java.net.Socket("127.0.0.1", port)) {
                    return false;
                } catch (IOException e) {
                    return true;
                }
            });
            release.countDown();
            assertThat(client.reply()).isEqualTo("250 2.0.0 Queued late");
            assertThat(client.reply()).isEqualTo("421 4.3.2 Service shutting down, try again later");
            assertThat(client.readToEnd()).isEmpty();
            closing.get(30, TimeUnit.SECONDS);
        }
    }

    /**
     * SIGTERM to a gateway process: readiness fails at once while liveness holds and the listeners still accept for
     * the drain delay; then an idle session gets 421 4.3.2, a message whose content was arriving finishes with its
     * 250 first, and the process exits 0.
     */
    @Test
    void sigtermFailsReadinessFirstThenDrainsEachSessionAtItsNextCommandBoundary() throws Exception {
        int httpPort = FreePorts.next();
        CakemailSandbox sandbox = gateways.sandbox();
        ForkedGateway gateway = gateways.forked(
                sandbox,
                "GATEWAY_HTTP_PORT",
                String.valueOf(httpPort),
                "GATEWAY_DRAIN_DELAY",
                "4s",
                "GATEWAY_API_DEADLINE",
                "10s",
                "GATEWAY_DRAIN_TIMEOUT",
                "20s");
        try (LineClient idle =
                        LineClient.authenticated(gateway.smtpsPort, InProcessGateway.USER, InProcessGateway.PASSWORD);
                LineClient writing =
                        LineClient.authenticated(gateway.smtpsPort, InProcessGateway.USER, InProcessGateway.PASSWORD)) {
            assertThat(probe(httpPort, "/health/ready")).isEqualTo("200");
            writing.send("MAIL FROM:<sandbox@example.com>\r\nRCPT TO:<drain@example.net>\r\nDATA\r\n");
            writing.reply();
            writing.reply();
            assertThat(writing.reply()).startsWith("354");
            writing.send("From: sandbox@example.com\r\nSubject: Drain\r\n\r\nFirst half\r\n");

            long start = System.nanoTime();
            gateway.sigterm();
            String ready = Await.value(
                    "readiness failing",
                    Duration.ofSeconds(10),
                    () -> probe(httpPort, "/health/ready"),
                    answer -> !answer.equals("200"));
            assertThat(ready).isEqualTo("503");
            assertThat(probe(httpPort, "/health/live")).isEqualTo("200");
            try (LineClient late = LineClient.connect(gateway.smtpPort)) {
                assertThat(late.reply())
                        .as("still accepting during the drain delay")
                        .startsWith("220 ");
            }
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));

            assertThat(idle.reply()).isEqualTo("421 4.3.2 Service shutting down, try again later");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofSeconds(4));
            writing.send("Second half\r\n.\r\n");
            assertThat(writing.reply()).startsWith("250 2.0.0 Ok: queued as ");
            assertThat(writing.reply()).isEqualTo("421 4.3.2 Service shutting down, try again later");
            assertThat(gateway.exitCode(Duration.ofSeconds(30))).isZero();
            assertThat(sandbox.inbox().emails())
                    .extracting(Inbox.Email::recipient)
                    .containsExactly("drain@example.net");
        }
    }

    /** The status code of {@code path} on the admin port, read with curl. */
    private static String probe(int httpPort, String path) throws Exception {
        ExternalClient.Result result = ExternalClient.run(List.of(
                "curl",
                "-s",
                "-o",
                "/dev/null",
                "--max-time",
                "5",
                "-w",
                "%{http_code}",
                "http://127.0.0.1:" + httpPort + path));
        return result.output().trim();
    }
}
