package io.cakemail.gateway.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.cakemail.gateway.smtp.SmtpReply;
import io.cakemail.gateway.testing.TestAuthenticator;
import io.cakemail.sandbox.Fault;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class GracefulShutdownTest {

    @Test
    void idleSessionsAreToldAndClosed() throws Exception {
        GatewayHarness gateway = new GatewayHarness();
        try (LineClient client = LineClient.connect(gateway.server.smtpPort())) {
            client.reply();
            assertThat(client.command("EHLO client.test")).startsWith("250-");
            gateway.close();
            assertThat(client.reply()).isEqualTo("421 4.7.0 Service shutting down, try again later");
            assertThat(client.readToEnd()).isEmpty();
        }
    }

    /** The drain lasts at least the API deadline: a message the API accepts late still gets its 250, and only once. */
    @Test
    void aMessageTheApiAcceptsDuringTheDrainGetsItsReplyAndIsSentOnce() throws Exception {
        EndToEndHarness harness = new EndToEndHarness();
        harness.sandbox.faults().add(Fault.latency("/v2/emails", 1500));
        try (LineClient client = harness.authenticatedClient()) {
            client.send("MAIL FROM:<sandbox@example.com>\r\nRCPT TO:<late@example.net>\r\nDATA\r\n");
            client.reply();
            client.reply();
            client.reply();
            client.send("From: sandbox@example.com\r\nSubject: Late\r\n\r\nAccepted during the drain\r\n.\r\n");
            while (harness.sandbox.calls("POST /v2/emails") == 0) {
                Thread.sleep(10);
            }
            CompletableFuture<Void> closing = CompletableFuture.runAsync(harness::close);
            assertThat(client.reply()).startsWith("250 2.0.0 Queued as ");
            assertThat(client.reply()).isEqualTo("421 4.7.0 Service shutting down, try again later");
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
        GatewayHarness gateway = new GatewayHarness(10, UnaryOperator.identity(), message -> {
            handedOver.countDown();
            try {
                release.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return SmtpReply.of(250, "2.0.0", "Queued late");
        });
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
            CompletableFuture<Void> closing = CompletableFuture.runAsync(gateway::close);
            Thread.sleep(200);
            release.countDown();
            assertThat(client.reply()).isEqualTo("250 2.0.0 Queued late");
            assertThat(client.reply()).isEqualTo("421 4.7.0 Service shutting down, try again later");
            assertThat(client.readToEnd()).isEmpty();
            closing.get(30, TimeUnit.SECONDS);
        }
    }
}
