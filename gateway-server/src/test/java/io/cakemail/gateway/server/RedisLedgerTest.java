package io.cakemail.gateway.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.cakemail.gateway.server.config.GatewayConfig;
import io.cakemail.gateway.server.listen.EventLoops;
import io.cakemail.gateway.server.redis.RedisConnection;
import io.cakemail.gateway.server.redis.RedisLedger;
import io.cakemail.gateway.testkit.Await;
import io.cakemail.gateway.testkit.RedisServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The Redis ledger against a real Redis: what it remembers and forgets, and what it answers while Redis is gone. */
class RedisLedgerTest {

    @RegisterExtension
    final Gateways gateways = new Gateways();

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final EventLoops LOOPS = new EventLoops(1);
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @AfterAll
    static void stopLoops() {
        LOOPS.close();
    }

    @Test
    void lookupsWrittenOnALoopAreFlushedWhenItsTaskEnds() throws Exception {
        RedisServer redis = gateways.redis();
        try (RedisConnection connection = connection(redis)) {
            RedisLedger ledger = ledger(connection, false, 100);
            ledger.remember("m", Map.of("a@example.net", "email-1"), Map.of()).block(WAIT);
            // Twenty sessions' lookups in one task of the loop, as one read of the loop brings them. The connection
            // does
            // not flush each command: the loop flushes them all once the task is over, and every one is answered.
            List<CompletableFuture<Map<String, String>>> answers = LOOPS.workers()
                    .next()
                    .submit(() -> {
                        List<CompletableFuture<Map<String, String>>> lookups = new ArrayList<>();
                        for (int i = 0; i < 20; i++) {
                            lookups.add(ledger.accepted(() -> "m", List.of("a@example.net"))
                                    .toFuture());
                        }
                        return lookups;
                    })
                    .get(WAIT.toSeconds(), TimeUnit.SECONDS);

            for (CompletableFuture<Map<String, String>> answer : answers) {
                assertThat(answer.get(WAIT.toSeconds(), TimeUnit.SECONDS)).containsEntry("a@example.net", "email-1");
            }
        }
    }

    @Test
    void remembersAcceptedRecipientsPerMessageAndForgetsThem() throws Exception {
        RedisServer redis = gateways.redis();
        try (RedisConnection connection = connection(redis)) {
            RedisLedger ledger = ledger(connection, false, 100);
            List<String> recipients = List.of("a@example.net", "b@example.net");
            assertThat(ledger.accepted(() -> "m1", recipients).block(WAIT)).isEmpty();
            ledger.remember("m1", Map.of("a@example.net", "email-1"), Map.of()).block(WAIT);
            assertThat(ledger.accepted(() -> "m1", recipients).block(WAIT))
                    .containsExactly(Map.entry("a@example.net", "email-1"));
            assertThat(ledger.accepted(() -> "m2", recipients).block(WAIT))
                    .as("another message")
                    .isEmpty();
            ledger.remember("m1", Map.of("a@example.net", "email-2"), Map.of()).block(WAIT);
            assertThat(ledger.accepted(() -> "m1", recipients).block(WAIT))
                    .as("the first acceptance stays (SET NX)")
                    .containsEntry("a@example.net", "email-1");
            ledger.forget("m1", List.of("a@example.net")).block(WAIT);
            assertThat(ledger.accepted(() -> "m1", recipients).block(WAIT)).isEmpty();
        }
    }

    /**
     * A 451 promises that the recipients already accepted are not sent again: when Redis cannot record them, they are
     * kept here, looked up with Redis's answers, and written to Redis as soon as it is back, with their expiry. With
     * no room left here the record fails, so the reply promises nothing.
     */
    @Test
    void recordsRedisCannotTakeAreKeptHereAndWrittenThroughOnceItIsBack() throws Exception {
        RedisServer redis = gateways.redis();
        try (RedisConnection connection = connection(redis);
                RedisLedger ledger = ledger(connection, true, 2)) {
            redis.stop();
            ledger.remember("m", Map.of("a@example.net", "email-1"), Map.of()).block(WAIT);
            assertThat(registry.get("smtp.ledger.pending").gauge().value()).isEqualTo(1);
            assertThat(ledger.accepted(() -> "m", List.of("a@example.net", "b@example.net"))
                            .block(WAIT))
                    .as("Redis gone, fail-open: what is kept here still counts")
                    .containsExactly(Map.entry("a@example.net", "email-1"));
            assertThatThrownBy(() -> ledger.remember(
                                    "n", Map.of("b@example.net", "email-2", "c@example.net", "email-3"), Map.of())
                            .block(WAIT))
                    .as("no room for two more");
            assertThat(registry.get("smtp.ledger.unrecorded").counter().count()).isEqualTo(2);

            redis.startAgain();
            await().atMost(Duration.ofSeconds(20))
                    .untilAsserted(() -> assertThat(redis.keysWithTtl())
                            .hasSize(1)
                            .allSatisfy((key, ttl) -> assertThat(ttl).isBetween(3000L, 3600L)));
            assertThat(registry.get("smtp.ledger.pending").gauge().value()).isZero();
            assertThat(ledger.accepted(() -> "m", List.of("a@example.net")).block(WAIT))
                    .containsExactly(Map.entry("a@example.net", "email-1"));
        }
    }

    @Test
    void whileRedisIsDownALookupFailsClosedOrAnswersNothingOpenThenRecovers() throws Exception {
        RedisServer redis = gateways.redis();
        try (RedisConnection connection = connection(redis)) {
            RedisLedger closed = ledger(connection, false, 100);
            RedisLedger open = ledger(connection, true, 100);
            closed.remember("m", Map.of("a@example.net", "email-1"), Map.of()).block(WAIT);
            redis.stop();
            assertThatThrownBy(
                    () -> closed.accepted(() -> "m", List.of("a@example.net")).block(WAIT));
            assertThat(open.accepted(() -> "m", List.of("a@example.net")).block(WAIT))
                    .isEmpty();
            assertThat(registry.get("smtp.redis.errors")
                            .tag("operation", "ledger_lookup")
                            .counter()
                            .count())
                    .isEqualTo(2);

            redis.startAgain(); // empty: no persistence
            Map<String, String> after = Await.value( // Lettuce reconnects by itself
                    "the ledger answering",
                    Duration.ofSeconds(20),
                    Duration.ofMillis(200),
                    () -> closed.accepted(() -> "m", List.of("a@example.net")).block(WAIT),
                    answer -> true);
            assertThat(after).as("the ledger answers again once Redis is back").isEmpty();
        }
    }

    private RedisLedger ledger(RedisConnection connection, boolean failOpen, int maxPending) {
        return new RedisLedger(connection, registry, failOpen, Duration.ofHours(1), maxPending);
    }

    private RedisConnection connection(RedisServer redis) {
        return new RedisConnection(
                new GatewayConfig.Redis(redis.url(), Duration.ofMillis(500), false), registry, LOOPS.workers());
    }
}
