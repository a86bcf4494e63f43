package io.cakemail.gateway.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cakemail.sandbox.Fault;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A message handed to the API has its answer, whatever else happens meanwhile: the session's time limit waits for it
 * (a 421 while the API stores the message would make the client send it again), and a client that leaves before it
 * still leaves the message's count and log line behind.
 */
class AnswersInFlightTest {

    @RegisterExtension
    final Gateways gateways = new Gateways();

    private static final String MESSAGE = "From: sandbox@example.com\r\nSubject: In flight\r\n\r\nSlow API\r\n";

    private InProcessGateway harness;

    @Test
    void theSessionTimeLimitWaitsForTheAnswerTheApiIsProducing() throws Exception {
        harness = gateways.inProcess("GATEWAY_SESSION_TIMEOUT", "1s");
        harness.sandbox.faults().add(Fault.latency("/v2/emails", 2000));
        try (LineClient client = harness.authenticatedClient()) {
            assertThat(InProcessGateway.send(client, "sandbox@example.com", MESSAGE, "slow@example.net"))
                    .startsWith("250 2.0.0 Ok: queued as ");
            assertThat(client.reply()).isEqualTo("421 4.4.2 Session time limit exceeded, closing connection");
            assertThat(client.readToEnd()).isEmpty();
        }
        assertThat(harness.sandbox.inbox().emails()).hasSize(1);
    }

    @Test
    void aClientThatLeavesWhileTheApiAnswersLeavesTheMessagesCountBehind() throws Exception {
        harness = gateways.inProcess();
        harness.sandbox.faults().add(Fault.latency("/v2/emails", 500));
        try (LineClient client = harness.authenticatedClient()) {
            client.send("MAIL FROM:<sandbox@example.com>\r\nRCPT TO:<gone@example.net>\r\nDATA\r\n");
            client.reply();
            client.reply();
            assertThat(client.reply()).startsWith("354");
            client.send(MESSAGE + ".\r\n");
            await().atMost(Duration.ofSeconds(5)).until(() -> harness.sandbox.calls("POST /v2/emails") > 0);
        } // gone before the API answers
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(harness.counter("smtp.messages.client.left", "code", "2xx"))
                        .isEqualTo(1));
        assertThat(harness.counter("smtp.emails.forwarded")).isEqualTo(1);
        assertThat(harness.sandbox.inbox().emails()).hasSize(1);
    }
}
