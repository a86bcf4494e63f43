package io.cakemail.gateway.server;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.micrometer.core.instrument.Counter;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The per-client limits' share of Redis, so a fleet limits a client as one gateway would: failed logins are counted
 * and blocks kept for the whole fleet ({@code INCR} on a key that expires with its window, {@code SET EX} for a block,
 * {@code EXISTS} to look one up), and messages a minute counted for the whole fleet. Messages are counted here and
 * added to Redis every {@value #FLUSH_MILLIS} ms, one {@code INCRBY} a client, not one command a message; a client
 * the fleet's count puts over its limit is refused here for the rest of the minute. Every call fails open: when
 * Redis cannot answer, each gateway's own limits stand.
 */
final class FleetLimits implements AutoCloseable {

    private static final long FLUSH_MILLIS = 100;

    private static final String PREFIX = "smtp-gateway:limits:";

    private final RedisConnection redis;
    private final Counter errors;
    /** Messages started since the last flush, by client key, with the limit each counts against. */
    private final ConcurrentHashMap<String, Pending> pending = new ConcurrentHashMap<>();
    /** Clients the fleet's count put over their limit, for the rest of the minute. */
    private final Cache<String, Boolean> over = Caffeine.newBuilder()
            .expireAfterWrite(Duration.ofMinutes(1))
            .maximumSize(100_000)
            .executor(Runnable::run)
            .build();

    private final Disposable flusher;

    /** Messages of one client not yet added to the fleet's count. */
    private static final class Pending {
        final LongAdder messages = new LongAdder();
        final int limit;

        Pending(int limit) {
            this.limit = limit;
        }
    }

    FleetLimits(RedisConnection redis) {
        this.redis = redis;
        this.errors = redis.errors("limits");
        this.flusher = Flux.interval(Duration.ofMillis(FLUSH_MILLIS))
                .onBackpressureDrop()
                .concatMap(tick -> flush(), 1)
                .subscribe();
    }

    /** Whether {@code client} is blocked somewhere in the fleet; {@code false} when Redis cannot tell. */
    Mono<Boolean> isBlocked(String client) {
        return redis.run(
                        commands ->
                                commands.exists(PREFIX + "blocked:" + client).thenApply(count -> count > 0),
                        errors,
                        "cannot tell whether a client is blocked, letting it in")
                .onErrorReturn(false);
    }

    /**
     * Counts a failed login of {@code client} in the fleet; when it makes {@code threshold} within {@code window},
     * blocks the client for {@code block} and answers {@code true}.
     */
    Mono<Boolean> loginFailed(String client, int threshold, Duration window, Duration block) {
        String failures = PREFIX + "auth-failures:" + client;
        return redis.run(
                        commands -> commands.incr(failures).thenCompose(count -> {
                            if (count == 1) {
                                commands.expire(failures, window.toSeconds());
                            }
                            if (count < threshold) {
                                return CompletableFuture.completedFuture(false);
                            }
                            commands.del(failures);
                            return commands.set(
                                            PREFIX + "blocked:" + client, "1", SetArgs.Builder.ex(block.toSeconds()))
                                    .thenApply(ok -> true);
                        }),
                        errors,
                        "cannot count a failed login for the fleet")
                .onErrorReturn(false);
    }

    /** Whether the fleet's count put {@code key} over its limit this minute. */
    boolean isOver(String key) {
        return over.getIfPresent(key) != null;
    }

    /** Counts a message {@code key} started, against {@code limit} a minute for the fleet. */
    void messageStarted(String key, int limit) {
        pending.computeIfAbsent(key, k -> new Pending(limit)).messages.increment();
    }

    /** Adds the messages counted here to the fleet's count of this minute, and learns who is over. */
    private Mono<Void> flush() {
        if (pending.isEmpty()) {
            return Mono.empty();
        }
        long minute = System.currentTimeMillis() / 60_000;
        Map<String, Pending> counted = new HashMap<>();
        for (String key : pending.keySet()) {
            Pending messages = pending.remove(key);
            if (messages != null) {
                counted.put(key, messages);
            }
        }
        return redis.run(
                        commands -> CompletableFuture.allOf(counted.entrySet().stream()
                                        .map(entry -> add(commands, entry.getKey(), entry.getValue(), minute))
                                        .toArray(CompletableFuture[]::new))
                                .thenApply(done -> (Void) null),
                        errors,
                        "cannot add messages to the fleet's count")
                .onErrorResume(error -> Mono.empty());
    }

    /** Adds one client's messages to the fleet's count, which expires after the minute; notes whether it is over. */
    private CompletableFuture<Void> add(
            RedisAsyncCommands<String, String> commands, String key, Pending messages, long minute) {
        String counter = PREFIX + "messages:" + key + ":" + minute;
        long added = messages.messages.sum();
        return commands.incrby(counter, added)
                .thenAccept(total -> {
                    if (total == added) {
                        commands.expire(counter, 120);
                    }
                    if (total > messages.limit) {
                        over.put(key, Boolean.TRUE);
                    }
                })
                .toCompletableFuture();
    }

    @Override
    public void close() {
        flusher.dispose();
    }
}
