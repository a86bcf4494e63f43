package io.cakemail.gateway.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.cakemail.gateway.testkit.Await;
import io.cakemail.gateway.testkit.RedisServer;
import io.cakemail.sandbox.CakemailSandbox;
import io.cakemail.sandbox.Fault;
import io.cakemail.sandbox.Inbox;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two gateway processes, one Redis and one sandbox, as a fleet behind a balancer: a client's retry lands on the
 * other gateway and still reaches each recipient exactly once; while Redis is down, messages are deferred (never
 * sent twice), and they flow again once it is back.
 */
class SharedLedgerTest {

    @RegisterExtension
    final Gateways gateways = new Gateways();

    private static final String MESSAGE =
            "From: sandbox@example.com\r\nMessage-ID: <fleet-1@example.com>\r\nSubject: Fleet\r\n\r\nOnce each\r\n";

    @Test
    void aRetryThroughAnotherGatewayReachesEachRecipientOnce() throws Exception {
        RedisServer redis = gateways.redis();
        CakemailSandbox sandbox = gateways.sandbox();
        ForkedGateway a = gateway(sandbox, redis);
        ForkedGateway b = gateway(sandbox, redis);
        sandbox.faults().add(Fault.status("/v2/emails", 503).forRecipients("^flaky"));
        try (LineClient viaA = login(a)) {
            assertThat(InProcessGateway.send(
                            viaA, "sandbox@example.com", MESSAGE, "ok@example.net", "flaky@example.net"))
                    .startsWith("451 ");
        }
        sandbox.faults().clear();
        try (LineClient viaB = login(b)) {
            assertThat(InProcessGateway.send(
                            viaB, "sandbox@example.com", MESSAGE, "ok@example.net", "flaky@example.net"))
                    .startsWith("250 ");
        }
        assertThat(sandbox.inbox().emails())
                .extracting(Inbox.Email::recipient)
                .containsExactlyInAnyOrder("ok@example.net", "flaky@example.net");
    }

    @Test
    void whileRedisIsDownMessagesAreDeferredAndFlowAgainOnceItIsBack() throws Exception {
        RedisServer redis = gateways.redis();
        CakemailSandbox sandbox = gateways.sandbox();
        ForkedGateway gateway = gateway(sandbox, redis);
        try (LineClient client = login(gateway)) {
            redis.stop();
            assertThat(InProcessGateway.send(client, "sandbox@example.com", MESSAGE, "down@example.net"))
                    .startsWith("451 ");
            assertThat(sandbox.inbox().emails()).isEmpty();
            redis.startAgain();
            Await.value(
                    "the message accepted once the gateway has reconnected to Redis by itself",
                    Duration.ofSeconds(20),
                    Duration.ofMillis(200),
                    () -> InProcessGateway.send(client, "sandbox@example.com", MESSAGE, "down@example.net"),
                    reply -> reply.startsWith("250 "));
            assertThat(sandbox.inbox().emails())
                    .extracting(Inbox.Email::recipient)
                    .containsExactly("down@example.net");
        }
    }

    private ForkedGateway gateway(CakemailSandbox sandbox, RedisServer redis) throws Exception {
        return gateways.forked(
                sandbox,
                "GATEWAY_REDIS_URL",
                redis.url().toString(),
                "GATEWAY_API_DEADLINE",
                "10s",
                "GATEWAY_DRAIN_TIMEOUT",
                "10s",
                "GATEWAY_API_BACKOFF",
                "20ms");
    }

    private static LineClient login(ForkedGateway gateway) throws Exception {
        return LineClient.authenticated(gateway.smtpsPort, InProcessGateway.USER, InProcessGateway.PASSWORD);
    }
}
