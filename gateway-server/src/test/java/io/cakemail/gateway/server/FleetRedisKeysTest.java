package io.cakemail.gateway.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cakemail.gateway.testkit.RedisServer;
import io.cakemail.sandbox.CakemailSandbox;
import io.cakemail.sandbox.Fault;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What a fleet writes to Redis, read in Redis itself rather than through the gateways' behaviour: a later command of
 * the same gateway would carry along what an earlier one left unsent, and hide it. A failed login's count expires with
 * its window, the failure that blocks an address stores the block at once, and every key a mixed run writes expires.
 */
class FleetRedisKeysTest {

    @RegisterExtension
    final Gateways gateways = new Gateways();

    private static final String MESSAGE = "From: sandbox@example.com\r\nMessage-ID: <keys-1@example.com>\r\n"
            + "X-Mailgun-Variables: {\"order\": 42}\r\nSubject: Keys\r\n\r\nKeys\r\n";

    @Test
    void aFailedLoginIsCountedWithTheExpiryOfItsWindow() throws Exception {
        RedisServer redis = gateways.redis();
        CakemailSandbox sandbox = gateways.sandbox();
        ForkedGateway gateway = gateway(sandbox, redis);
        failLogin(gateway);
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(redis.keysWithTtl())
                        .hasEntrySatisfying(
                                "smtp-gateway:limits:auth-failures:{127.0.0.1}",
                                ttl -> assertThat(ttl).isBetween(1L, 300L)));
    }

    @Test
    void theFailedLoginThatBlocksAnAddressStoresTheBlockInRedis() throws Exception {
        RedisServer redis = gateways.redis();
        CakemailSandbox sandbox = gateways.sandbox();
        ForkedGateway a = gateway(sandbox, redis);
        ForkedGateway b = gateway(sandbox, redis);
        for (int failure = 0; failure < 5; failure++) { // three on one, two on the other: below each one's limit
            failLogin(failure % 2 == 0 ? a : b);
        }
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(redis.keysWithTtl())
                        .containsOnlyKeys("smtp-gateway:limits:blocked:{127.0.0.1}")
                        .hasEntrySatisfying(
                                "smtp-gateway:limits:blocked:{127.0.0.1}",
                                ttl -> assertThat(ttl).isBetween(3500L, 3600L)));
    }

    @Test
    void everyKeyAMixedRunWritesExpires() throws Exception {
        RedisServer redis = gateways.redis();
        CakemailSandbox sandbox = gateways.sandbox();
        ForkedGateway a = gateway(
                sandbox,
                redis,
                "GATEWAY_LIMIT_MESSAGES_PER_MINUTE",
                "50",
                "GATEWAY_LIMIT_LOGIN_MESSAGES_PER_MINUTE",
                "50");
        ForkedGateway b = gateway(sandbox, redis);
        sandbox.faults().add(Fault.status("/v2/emails", 500).forRecipients("^flaky"));
        try (LineClient viaA =
                LineClient.authenticated(a.smtpsPort, InProcessGateway.USER, InProcessGateway.PASSWORD)) {
            assertThat(InProcessGateway.send(
                            viaA, "sandbox@example.com", MESSAGE, "ok@example.net", "flaky@example.net"))
                    .startsWith("451 ");
            assertThat(InProcessGateway.send(
                            viaA, "sandbox@example.com", MESSAGE.replace("keys-1", "keys-2"), "ok@example.net"))
                    .startsWith("250 ");
        }
        failLogin(b);
        for (int failure = 0; failure < 4; failure++) { // the fifth of the fleet blocks the address
            failLogin(a);
        }
        List<String> kinds =
                List.of("ledger:", "ledger-metadata", "limits:messages:", "limits:messages:login:", "limits:blocked:");
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(kindsOf(redis.keysWithTtl())).containsAll(kinds));
        Map<String, Long> keys = redis.keysWithTtl();
        assertThat(keys)
                .isNotEmpty()
                .allSatisfy((key, ttl) ->
                        assertThat(ttl).as("time to live of %s", key).isPositive());
    }

    /** The kinds of key among {@code keys}: the part of each name after the gateway's prefix, up to its value. */
    private static List<String> kindsOf(Map<String, Long> keys) {
        List<String> kinds = new ArrayList<>();
        for (String key : keys.keySet()) {
            String kind = key.replaceFirst("^smtp-gateway:", "");
            if (kind.startsWith("ledger:") && kind.endsWith(":metadata")) {
                kinds.add("ledger-metadata");
                continue;
            }
            for (String known : List.of(
                    "ledger:",
                    "limits:messages:login:",
                    "limits:messages:",
                    "limits:blocked:",
                    "limits:auth-failures:")) {
                if (kind.startsWith(known)) {
                    kinds.add(known);
                    break;
                }
            }
        }
        return kinds;
    }

    private static void failLogin(ForkedGateway gateway) throws Exception {
        try (LineClient client = LineClient.connectTls(gateway.smtpsPort)) {
            assertThat(client.reply()).startsWith("220 ");
            client.command("EHLO client.test");
            assertThat(client.command("AUTH PLAIN " + InProcessGateway.plain(InProcessGateway.USER, "guess")))
                    .startsWith("535 ");
        }
    }

    private ForkedGateway gateway(CakemailSandbox sandbox, RedisServer redis, String... more) throws Exception {
        List<String> settings = new ArrayList<>(List.of("GATEWAY_API_MAX_ATTEMPTS", "1"));
        settings.addAll(List.of(more));
        return gateways.inFleet(sandbox, redis, settings.toArray(String[]::new));
    }
}
