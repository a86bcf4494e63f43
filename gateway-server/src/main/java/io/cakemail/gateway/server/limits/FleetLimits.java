package io.cakemail.gateway.server.limits;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.cakemail.gateway.server.redis.RedisConnection;
import io.lettuce.core.ScriptOutputType;
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
 * and blocks kept for the whole fleet, and messages a minute counted for the whole fleet. Messages are counted here
 * and added to Redis every {@value #FLUSH_MILLIS} ms, one command a client, not one a message; a client the fleet's
 * count puts over its limit is refused here for the rest of the minute. Every call fails open: when Redis cannot
 * answer, each gateway's own limits stand.
 *
 * <p>Every key written here expires, and gets its expiry in the same step as its value: each count is one script
 * (counted, given its expiry if it has none, and for failed logins turned into a block), so no crash or lost answer
 * between two commands can leave a key that lives for ever. A client's keys share a hash tag, as a script's keys
 * must on a Redis cluster.
 */
public final class FleetLimits implements AutoCloseable {

    private static final long FLUSH_MILLIS = 100;

    private static final String PREFIX = "smtp-gateway:limits:";

    /** KEYS: the failures, the block; ARGV: the window and the block in seconds, the failures that block. */
    private static final String COUNT_FAILURE = """
            local failures = redis.call('INCR', KEYS[1])
            if redis.call('TTL', KEYS[1]) < 0 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
            if failures < tonumber(ARGV[3]) then return 0 end
            redis.call('DEL', KEYS[1])
            redis.call('SET', KEYS[2], '1', 'EX', ARGV[2])
            return 1
            """;

    /** KEYS: the count; ARGV: the messages to add, the count's life in seconds. Answers the count. */
    private static final String COUNT_MESSAGES = """
            local total = redis.call('INCRBY', KEYS[1], ARGV[1])
            if redis.call('TTL', KEYS[1]) < 0 then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
            return total
            """;

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

    public FleetLimits(RedisConnection redis) {
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
                        commands -> commands.exists(blockKey(client)).thenApply(count -> count > 0),
                        errors,
                        "cannot tell whether a client is blocked, letting it in")
                .onErrorReturn(false);
    }

    /**
     * Counts a failed login of {@code client} in the fleet; when it makes {@code threshold} within {@code window},
     * blocks the client for {@code block} and answers {@code true}.
     */
    Mono<Boolean> loginFailed(String client, int threshold, Duration window, Duration block) {
        String[] keys = {PREFIX + "auth-failures:{" + client + "}", blockKey(client)};
        return redis.run(
                        commands -> commands.<Long>eval(
                                        COUNT_FAILURE,
                                        ScriptOutputType.INTEGER,
                                        keys,
                                        String.valueOf(window.toSeconds()),
                                        String.valueOf(block.toSeconds()),
                                        String.valueOf(threshold))
                                .thenApply(blocked -> blocked == 1),
                        errors,
                        "cannot count a failed login for the fleet")
                .onErrorReturn(false);
    }

    private static String blockKey(String client) {
        return PREFIX + "blocked:{" + client + "}";
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
        return commands.<Long>eval(
                        COUNT_MESSAGES,
                        ScriptOutputType.INTEGER,
                        new String[] {PREFIX + "messages:" + key + ":" + minute},
                        String.valueOf(messages.messages.sum()),
                        "120")
                .thenAccept(total -> {
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
