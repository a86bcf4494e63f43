package io.cakemail.gateway.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.cakemail.gateway.testkit.Await;
import io.cakemail.gateway.testkit.RedisServer;
import io.cakemail.sandbox.CakemailSandbox;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two gateway processes sharing one Redis limit a client as one gateway would: failed logins spread over both block
 * the address on both, and messages spread over both count against one rate. Loopback is not exempt here.
 */
class FleetLimitsTest {

    @RegisterExtension
    final Gateways gateways = new Gateways();

    @Test
    void failedLoginsSpreadOverTwoGatewaysBlockTheAddressOnBoth() throws Exception {
        RedisServer redis = gateways.redis();
        CakemailSandbox sandbox = gateways.sandbox();
        ForkedGateway a = gateway(sandbox, redis);
        ForkedGateway b = gateway(sandbox, redis);
        ForkedGateway[] fleet = {a, b};
        for (int failure = 0; failure < 5; failure++) { // each gateway sees at most three: below the limit alone
            try (LineClient client = LineClient.connectTls(fleet[failure % 2].smtpsPort)) {
                assertThat(client.reply()).startsWith("220 ");
                client.command("EHLO client.test");
                assertThat(client.command("AUTH PLAIN " + InProcessGateway.plain(InProcessGateway.USER, "guess")))
                        .as("failure %d", failure + 1)
                        .startsWith("535 ");
            }
        }
        for (ForkedGateway gateway : fleet) {
            assertThat(greetingOnceSettled(gateway))
                    .isEqualTo("421 4.7.1 Too many failed logins from your address, try again later");
        }
    }

    @Test
    void messagesSpreadOverTwoGatewaysCountAgainstOneRate() throws Exception {
        RedisServer redis = gateways.redis();
        CakemailSandbox sandbox = gateways.sandbox();
        ForkedGateway a = gateway(sandbox, redis, "GATEWAY_LIMIT_MESSAGES_PER_MINUTE", "4");
        ForkedGateway b = gateway(sandbox, redis, "GATEWAY_LIMIT_MESSAGES_PER_MINUTE", "4");
        try (LineClient viaA = login(a);
                LineClient viaB = login(b)) {
            for (LineClient client : List.of(viaA, viaB, viaA, viaB)) {
                assertThat(client.command("MAIL FROM:<sandbox@example.com>")).startsWith("250 ");
                assertThat(client.command("RSET")).startsWith("250 ");
            }
            // each gateway has started two, within its own limit of four; the fleet has started four
            String reply =
                    Await.value( // the fleet's count of the last message arrives without the reply waiting for it
                            "the fleet's limit",
                            Duration.ofSeconds(5),
                            Duration.ofMillis(200),
                            () -> {
                                String answer = viaA.command("MAIL FROM:<sandbox@example.com>");
                                viaA.command("RSET");
                                return answer;
                            },
                            answer -> answer.startsWith("450 "));
            assertThat(reply).isEqualTo("450 4.7.1 Too many messages from your address, try again in a minute");
        }
    }

    @Test
    void aClientThatTalksBeforeTheGreetingIsRefusedAndItsWordsNeverReachTheSession() throws Exception {
        RedisServer redis = gateways.redis();
        CakemailSandbox sandbox = gateways.sandbox();
        ForkedGateway gateway = gateway(sandbox, redis, "GATEWAY_REDIS_TIMEOUT", "2s");
        redis.freeze(); // the gateway's question whether the address is blocked waits: so does the greeting
        try (LineClient client = LineClient.connect(gateway.smtpPort)) {
            client.send("EHLO client.test\r\n");
            assertThat(client.reply()).isEqualTo("521 5.5.1 Protocol error: the client talked before the greeting");
            assertThat(client.readToEnd()).isEmpty();
        } finally {
            redis.thaw();
        }
        try (LineClient patient = LineClient.connect(gateway.smtpPort)) {
            assertThat(patient.reply()).startsWith("220 ");
            assertThat(patient.command("EHLO client.test")).startsWith("250");
        }
    }

    /** The greeting of a new connection, once blocks have had a moment to reach Redis. */
    private static String greetingOnceSettled(ForkedGateway gateway) {
        return Await.value(
                "the block known to the fleet",
                Duration.ofSeconds(5),
                Duration.ofMillis(100),
                () -> {
                    try (LineClient client = LineClient.connectTls(gateway.smtpsPort)) {
                        return client.reply();
                    }
                },
                greeting -> greeting.startsWith("421 "));
    }

    private ForkedGateway gateway(CakemailSandbox sandbox, RedisServer redis, String... more) throws Exception {
        return gateways.inFleet(sandbox, redis, more);
    }

    private static LineClient login(ForkedGateway gateway) throws Exception {
        return LineClient.authenticated(gateway.smtpsPort, InProcessGateway.USER, InProcessGateway.PASSWORD);
    }
}
