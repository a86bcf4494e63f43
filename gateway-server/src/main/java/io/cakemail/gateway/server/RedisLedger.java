package io.cakemail.gateway.server;

import io.cakemail.gateway.core.api.AcceptedLedger;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SetArgs;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.reactive.RedisReactiveCommands;
import io.lettuce.core.codec.StringCodec;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The no-resend ledger in Redis, shared by every gateway of a fleet, so a client's retry of a {@code 451} is never
 * sent again to a recipient any gateway already delivered: one key a recipient, written {@code SET key id NX EX ttl},
 * looked up with one {@code MGET} a message. Lettuce (on Netty, without blocking) connects in the background, and
 * Lettuce reconnects whenever the connection is lost; meanwhile, and when a command takes longer than the timeout,
 * the ledger cannot tell. Then a lookup fails, so the message is deferred ({@code 451}, never a resend:
 * {@code closed}, the default), or, for operators who prefer a rare duplicate to a retry, answers that nothing is
 * known ({@code open}). Failures are logged (rate-limited) and counted in {@code smtp.redis.errors} tagged
 * {@code operation} (lookup, write).
 */
final class RedisLedger implements AcceptedLedger, AutoCloseable {

    private static final Logger log = LogManager.getLogger("io.cakemail.gateway.redis");
    private static final String PREFIX = "smtp-gateway:ledger:";

    private final RedisClient client;
    private final RedisURI uri;
    private final long ttlSeconds;
    private final boolean failOpen;
    private final Duration timeout;
    /** The connection, or its attempt; replaced by a new attempt when one failed. */
    private final AtomicReference<CompletableFuture<StatefulRedisConnection<String, String>>> connection =
            new AtomicReference<>();

    private final Counter lookupErrors;
    private final Counter writeErrors;

    RedisLedger(GatewayConfig.Redis config, Duration ttl, MeterRegistry registry) {
        this.uri = RedisURI.create(config.url().toString());
        this.timeout = config.timeout();
        this.failOpen = config.ledgerFailOpen();
        this.ttlSeconds = Math.max(1, ttl.toSeconds());
        this.client = RedisClient.create();
        client.setOptions(ClientOptions.builder()
                .timeoutOptions(TimeoutOptions.enabled(timeout))
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .autoReconnect(true)
                .build());
        lookupErrors = errors(registry, "lookup");
        writeErrors = errors(registry, "write");
        commands(); // connect now, in the background
    }

    private static Counter errors(MeterRegistry registry, String operation) {
        return Counter.builder("smtp.redis.errors")
                .tag("operation", operation)
                .description("Redis commands that failed or timed out")
                .register(registry);
    }

    @Override
    public Mono<Map<String, String>> accepted(String message, List<String> recipients) {
        String prefix = prefix(message);
        String[] keys = recipients.stream().map(recipient -> prefix + recipient).toArray(String[]::new);
        return Mono.defer(() -> commands()
                        .flatMapMany(redis -> redis.mget(keys))
                        .filter(KeyValue::hasValue)
                        .collectMap(found -> found.getKey().substring(prefix.length()), KeyValue::getValue))
                .timeout(timeout)
                .onErrorResume(error -> {
                    lookupErrors.increment();
                    log.warn("Redis cannot tell whom a message was sent to ({}): {}", outcome(), error.toString());
                    return failOpen ? Mono.just(Map.of()) : Mono.error(error);
                });
    }

    @Override
    public Mono<Void> remember(String message, Map<String, String> emailIds) {
        String prefix = prefix(message);
        SetArgs once = SetArgs.Builder.nx().ex(ttlSeconds);
        Map<String, String> entries = new HashMap<>(emailIds);
        return write(redis -> Flux.fromIterable(entries.entrySet())
                .flatMap(entry -> redis.set(prefix + entry.getKey(), entry.getValue(), once))
                .then());
    }

    @Override
    public Mono<Void> forget(String message, Collection<String> recipients) {
        String prefix = prefix(message);
        String[] keys = recipients.stream().map(recipient -> prefix + recipient).toArray(String[]::new);
        return write(redis -> redis.del(keys).then());
    }

    private Mono<Void> write(java.util.function.Function<RedisReactiveCommands<String, String>, Mono<Void>> command) {
        return Mono.defer(() -> commands().flatMap(command)).timeout(timeout).doOnError(error -> {
            writeErrors.increment();
            log.warn("Redis could not record the recipients a message was sent to: {}", error.toString());
        });
    }

    private String outcome() {
        return failOpen ? "going on as if it were new" : "deferring it";
    }

    /** The commands of the connection, connecting first (once at a time) when there is none. */
    private Mono<RedisReactiveCommands<String, String>> commands() {
        CompletableFuture<StatefulRedisConnection<String, String>> current = connection.get();
        if (current == null || current.isCompletedExceptionally()) {
            CompletableFuture<StatefulRedisConnection<String, String>> next =
                    client.connectAsync(StringCodec.UTF8, uri).toCompletableFuture();
            if (connection.compareAndSet(current, next)) {
                next.whenComplete((opened, error) -> {
                    if (error != null) {
                        log.warn(
                                "Cannot connect to Redis at {}:{}: {}", uri.getHost(), uri.getPort(), error.toString());
                    } else {
                        log.info("Connected to Redis at {}:{}", uri.getHost(), uri.getPort());
                    }
                });
                current = next;
            } else {
                current = connection.get();
            }
        }
        return Mono.fromFuture(current, true).map(StatefulRedisConnection::reactive);
    }

    /** The part of a key that names a message: a digest of its identity, which holds a login. */
    private static String prefix(String message) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(message.getBytes(StandardCharsets.UTF_8));
            return PREFIX + HexFormat.of().formatHex(digest, 0, 16) + ':';
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    @Override
    public void close() {
        CompletableFuture<StatefulRedisConnection<String, String>> current = connection.get();
        if (current != null && current.isDone() && !current.isCompletedExceptionally()) {
            current.join().close();
        }
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
}
