package io.cakemail.gateway.server.redis;

import io.cakemail.gateway.core.api.AcceptedLedger;
import io.cakemail.gateway.core.api.LedgerMetadata;
import io.lettuce.core.KeyValue;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The no-resend ledger in Redis, shared by every gateway of a fleet, so a client's retry of a {@code 451} is never
 * sent again to a recipient any gateway already delivered: one key a recipient, written {@code SET key id NX EX ttl}
 * (and one for the message's metadata, when it has any), looked up with one {@code MGET} a message. When Redis cannot
 * answer ({@link RedisConnection}), a lookup fails, so the message is deferred ({@code 451}, never a resend:
 * {@code closed}, the default), or, for operators who prefer a rare duplicate to a retry, answers that nothing is
 * known ({@code open}).
 *
 * <p>A record the 451 promises is kept, Redis or not: when Redis cannot take it, it is held here (at most
 * {@code maxPending} recipients, each until its own expiry), looked up with Redis's answers, and written to Redis
 * every {@value #WRITE_THROUGH_MILLIS} ms until Redis takes it ({@code smtp.ledger.pending} counts what waits). A
 * record with no room left here fails, and the reply promises nothing ({@code smtp.ledger.unrecorded} counts them).
 */
public final class RedisLedger implements AcceptedLedger, AutoCloseable {

    private static final Logger log = LogManager.getLogger("io.cakemail.gateway.redis");
    private static final String PREFIX = "smtp-gateway:ledger:";
    /** Where a message's metadata is kept: no recipient's key, which holds an {@code @}. */
    private static final String METADATA = "metadata";

    private static final long WRITE_THROUGH_MILLIS = 1000;

    private final RedisConnection redis;
    private final long ttlSeconds;
    private final boolean failOpen;
    private final int maxPending;
    private final Counter lookupErrors;
    private final Counter writeErrors;
    private final Counter unrecorded;
    /** Records Redis could not take yet, by key: the value and when it expires ({@link System#currentTimeMillis}). */
    private final ConcurrentHashMap<String, Pending> pending = new ConcurrentHashMap<>();

    private final AtomicInteger pendingCount = new AtomicInteger();
    private final Disposable writeThrough;

    /** A record waiting for Redis. */
    private record Pending(String value, long expiresAt) {}

    public RedisLedger(RedisConnection redis, MeterRegistry registry, boolean failOpen, Duration ttl, long maxPending) {
        this.redis = redis;
        this.failOpen = failOpen;
        this.ttlSeconds = Math.max(1, ttl.toSeconds());
        this.maxPending = (int) Math.min(Integer.MAX_VALUE, maxPending);
        lookupErrors = redis.errors("ledger_lookup");
        writeErrors = redis.errors("ledger_write");
        unrecorded = Counter.builder("smtp.ledger.unrecorded")
                .description("Recipients a 451 could not promise not to resend: Redis down and no room left here")
                .register(registry);
        Gauge.builder("smtp.ledger.pending", pendingCount, AtomicInteger::get)
                .description("No-resend records kept here until Redis takes them")
                .register(registry);
        writeThrough = Flux.interval(Duration.ofMillis(WRITE_THROUGH_MILLIS))
                .onBackpressureDrop()
                .concatMap(tick -> writePending(), 1)
                .subscribe();
    }

    @Override
    public Mono<Map<String, String>> accepted(Supplier<String> message, List<String> recipients) {
        String prefix = prefix(message.get());
        String[] keys = recipients.stream().map(recipient -> prefix + recipient).toArray(String[]::new);
        return redis.run(
                        commands -> commands.mget(keys).thenApply(values -> {
                            Map<String, String> found = new HashMap<>();
                            for (KeyValue<String, String> value : values) {
                                if (value.hasValue()) {
                                    found.put(value.getKey().substring(prefix.length()), value.getValue());
                                }
                            }
                            return found;
                        }),
                        lookupErrors,
                        "cannot tell whom a message was sent to, " + (failOpen ? "sending it as new" : "deferring it"))
                .onErrorResume(error -> failOpen ? Mono.just(Map.of()) : Mono.error(error))
                .map(found -> withPending(prefix, keys, found));
    }

    /** What Redis answered, and the records still waiting here for it. */
    private Map<String, String> withPending(String prefix, String[] keys, Map<String, String> found) {
        if (pending.isEmpty()) {
            return found;
        }
        Map<String, String> all = new HashMap<>(found);
        long now = System.currentTimeMillis();
        for (String key : keys) {
            Pending waiting = pending.get(key);
            if (waiting != null && waiting.expiresAt() > now) {
                all.putIfAbsent(key.substring(prefix.length()), waiting.value());
            }
        }
        return all;
    }

    @Override
    public Mono<Void> remember(String message, Map<String, String> emailIds, Map<String, String> metadata) {
        String prefix = prefix(message);
        Map<String, String> values = new HashMap<>();
        emailIds.forEach((recipient, value) -> values.put(prefix + recipient, value));
        if (!metadata.isEmpty()) {
            values.put(prefix + METADATA, LedgerMetadata.json(metadata));
        }
        return redis.run(
                        commands -> set(commands, values, ttlSeconds),
                        writeErrors,
                        "cannot record whom a message was sent to, keeping it here until Redis answers")
                .onErrorResume(error -> keep(values) ? Mono.empty() : Mono.error(error));
    }

    /** {@code SET key value NX EX ttl} for each record. */
    private static CompletableFuture<Void> set(
            RedisAsyncCommands<String, String> commands, Map<String, String> values, long ttlSeconds) {
        SetArgs once = SetArgs.Builder.nx().ex(ttlSeconds);
        return CompletableFuture.allOf(values.entrySet().stream()
                .map(entry ->
                        commands.set(entry.getKey(), entry.getValue(), once).toCompletableFuture())
                .toArray(CompletableFuture[]::new));
    }

    /** Keeps {@code values} here for Redis, when there is room for all of them; whether there was. */
    private boolean keep(Map<String, String> values) {
        if (pendingCount.addAndGet(values.size()) > maxPending) {
            pendingCount.addAndGet(-values.size());
            unrecorded.increment(values.size());
            return false;
        }
        long expiresAt = System.currentTimeMillis() + ttlSeconds * 1000;
        values.forEach((key, value) -> {
            if (pending.put(key, new Pending(value, expiresAt)) != null) {
                pendingCount.decrementAndGet();
            }
        });
        return true;
    }

    /** Writes the records waiting here to Redis, each with what is left of its life; drops the expired ones. */
    private Mono<Void> writePending() {
        if (pending.isEmpty()) {
            return Mono.empty();
        }
        long now = System.currentTimeMillis();
        Map<String, Pending> batch = new HashMap<>(pending);
        return redis.run(
                        commands -> CompletableFuture.allOf(batch.entrySet().stream()
                                .filter(entry -> entry.getValue().expiresAt() > now + 1000)
                                .map(entry -> commands.set(
                                                entry.getKey(),
                                                entry.getValue().value(),
                                                SetArgs.Builder.nx()
                                                        .ex((entry.getValue().expiresAt() - now) / 1000))
                                        .toCompletableFuture())
                                .toArray(CompletableFuture[]::new)),
                        writeErrors,
                        "cannot write the no-resend records kept here to Redis yet")
                .doOnSuccess(done -> batch.forEach(this::written))
                .onErrorResume(error -> {
                    batch.forEach((key, waiting) -> {
                        if (waiting.expiresAt() <= now) {
                            written(key, waiting);
                        }
                    });
                    return Mono.empty();
                });
    }

    /** {@code waiting} is in Redis now, or expired: it no longer waits here (unless replaced meanwhile). */
    private void written(String key, Pending waiting) {
        if (pending.remove(key, waiting)) {
            pendingCount.decrementAndGet();
        }
    }

    @Override
    public Mono<Void> forget(String message, Collection<String> recipients) {
        String prefix = prefix(message);
        String[] keys = recipients.stream().map(recipient -> prefix + recipient).toArray(String[]::new);
        for (String key : keys) {
            Pending waiting = pending.get(key);
            if (waiting != null) {
                written(key, waiting);
            }
        }
        return redis.run(
                commands -> commands.del(keys).thenApply(deleted -> (Void) null),
                writeErrors,
                "cannot forget a retried message");
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
        writeThrough.dispose();
        if (pendingCount.get() > 0) {
            log.warn(
                    "Stopping with {} no-resend records Redis never took: retries of their messages may resend them",
                    pendingCount.get());
        }
    }
}
