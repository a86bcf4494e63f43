package io.cakemail.gateway.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.cakemail.gateway.testkit.Await;
import io.cakemail.sandbox.CakemailSandbox;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The API goes away entirely, then comes back: while it is down the gateway answers 451 (at once, once the circuit
 * is open), and it recovers by itself, logging in again to the new instance.
 */
class ApiOutageTest {

    @RegisterExtension
    final Gateways gateways = new Gateways();

    private static final String MESSAGE = "From: sandbox@example.com\r\nSubject: Outage %d\r\n\r\nBody\r\n";

    @Test
    void answers451WhileTheApiIsDownAndRecoversOnItsOwn() throws Exception {
        CakemailSandbox sandbox = gateways.sandbox();
        int port = sandbox.port();
        InProcessGateway harness = gateways.inProcess(
                sandbox,
                "GATEWAY_BREAKER_WINDOW",
                "4",
                "GATEWAY_BREAKER_MINIMUM_CALLS",
                "4",
                "GATEWAY_BREAKER_OPEN_DURATION",
                "1s",
                "GATEWAY_API_DEADLINE",
                "2s",
                "GATEWAY_API_BACKOFF",
                "20ms",
                "GATEWAY_API_BACKOFF_MAX",
                "200ms");
        try (LineClient client = harness.authenticatedClient()) {
            assertThat(InProcessGateway.send(client, "sandbox@example.com", String.format(MESSAGE, 1), "a@example.net"))
                    .startsWith("250 2.0.0 Ok: queued as ");

            sandbox.close();
            assertThat(InProcessGateway.send(
                            client,
                            "sandbox@example.com",
                            String.format(MESSAGE, 2),
                            "a@example.net",
                            "b@example.net",
                            "c@example.net",
                            "d@example.net"))
                    .as("an outage fails every recipient: four of them open the breaker")
                    .startsWith("451 4.3.0 Cakemail API un");
            assertThat(InProcessGateway.send(client, "sandbox@example.com", String.format(MESSAGE, 3), "a@example.net"))
                    .isEqualTo("451 4.3.0 Cakemail API unavailable (circuit open), try again later");

            CakemailSandbox restarted = gateways.sandbox(port);
            String reply = Await.value(
                    "a message through once the breaker tries the API again",
                    Duration.ofSeconds(15),
                    Duration.ofMillis(300),
                    () -> InProcessGateway.send(
                            client, "sandbox@example.com", String.format(MESSAGE, 4), "a@example.net"),
                    answer -> answer.startsWith("250"));
            assertThat(reply).startsWith("250 2.0.0 Ok: queued as ");
            assertThat(restarted.inbox().emails()).hasSize(1);
            assertThat(restarted.calls("POST /token"))
                    .as("a refresh grant the new instance does not know," + " then a password grant")
                    .isEqualTo(2);
        }
    }
}
