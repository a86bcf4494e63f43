package io.cakemail.gateway.server;

import io.lettuce.core.SetArgs;
import io.micrometer.core.instrument.Counter;
import java.time.Duration;
import reactor.core.publisher.Mono;

/**
 * The per-client limits' share of Redis, so a fleet limits a client as one gateway would: failed logins are counted
 * and blocks kept for the whole fleet, messages a minute counted for the whole fleet ({@code INCR} on a key that
 * expires with its window, {@code SET EX} for a block, {@code EXISTS} to look one up). Every call fails open: when
 * Redis cannot answer, each gateway's own limits stand.
 */
final class FleetLimits {

    private static final String PREFIX = "smtp-gateway:limits:";

    private final RedisConnection redis;
    private final Counter errors;

    FleetLimits(RedisConnection redis) {
        this.redis = redis;
        this.errors = redis.errors("limits");
    }

    /** Whether {@code client} is blocked somewhere in the fleet; {@code false} when Redis cannot tell. */
    Mono<Boolean> isBlocked(String client) {
        return redis.run(
                        commands ->
                                commands.exists(PREFIX + "blocked:" + client).map(count -> count > 0),
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
                        commands -> commands.incr(failures).flatMap(count -> {
                            Mono<Boolean> expiry =
                                    count == 1 ? commands.expire(failures, window.toSeconds()) : Mono.just(true);
                            if (count < threshold) {
                                return expiry.thenReturn(false);
                            }
                            return expiry.then(commands.set(
                                            PREFIX + "blocked:" + client, "1", SetArgs.Builder.ex(block.toSeconds())))
                                    .then(commands.del(failures))
                                    .thenReturn(true);
                        }),
                        errors,
                        "cannot count a failed login for the fleet")
                .onErrorReturn(false);
    }

    /** Counts a message {@code key} started this minute in the fleet; {@code true} once it is over {@code limit}. */
    Mono<Boolean> messageStarted(String key, int limit) {
        String counter = PREFIX + "messages:" + key + ":" + System.currentTimeMillis() / 60_000;
        return redis.run(
                        commands -> commands.incr(counter)
                                .flatMap(count -> (count == 1 ? commands.expire(counter, 120) : Mono.just(true))
                                        .thenReturn(count > limit)),
                        errors,
                        "cannot count a message for the fleet")
                .onErrorReturn(false);
    }
}
