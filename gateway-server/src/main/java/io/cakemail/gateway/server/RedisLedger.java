package io.cakemail.gateway.server;

import io.cakemail.gateway.core.api.AcceptedLedger;
import io.cakemail.gateway.core.api.LedgerMetadata;
import io.lettuce.core.KeyValue;
import io.lettuce.core.SetArgs;
import io.micrometer.core.instrument.Counter;
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
import java.util.function.Supplier;
import reactor.core.publisher.Mono;

/**
 * The no-resend ledger in Redis, shared by every gateway of a fleet, so a client's retry of a {@code 451} is never
 * sent again to a recipient any gateway already delivered: one key a recipient, written {@code SET key id NX EX ttl}
 * (and one for the message's metadata, when it has any),
 * looked up with one {@code MGET} a message. When Redis cannot answer ({@link RedisConnection}), a lookup fails, so
 * the message is deferred ({@code 451}, never a resend: {@code closed}, the default), or, for operators who prefer a
 * rare duplicate to a retry, answers that nothing is known ({@code open}).
 */
final class RedisLedger implements AcceptedLedger {

    private static final String PREFIX = "smtp-gateway:ledger:";
    /** Where a message's metadata is kept: no recipient's key, which holds an {@code @}. */
    private static final String METADATA = "metadata";

    private final RedisConnection redis;
    private final long ttlSeconds;
    private final boolean failOpen;
    private final Counter lookupErrors;
    private final Counter writeErrors;

    RedisLedger(RedisConnection redis, boolean failOpen, Duration ttl) {
        this.redis = redis;
        this.failOpen = failOpen;
        this.ttlSeconds = Math.max(1, ttl.toSeconds());
        lookupErrors = redis.errors("ledger_lookup");
        writeErrors = redis.errors("ledger_write");
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
                .onErrorResume(error -> failOpen ? Mono.just(Map.of()) : Mono.error(error));
    }

    @Override
    public Mono<Void> remember(String message, Map<String, String> emailIds, Map<String, String> metadata) {
        String prefix = prefix(message);
        SetArgs once = SetArgs.Builder.nx().ex(ttlSeconds);
        Map<String, String> values = new HashMap<>(emailIds);
        if (!metadata.isEmpty()) {
            values.put(METADATA, LedgerMetadata.json(metadata));
        }
        return redis.run(
                commands -> CompletableFuture.allOf(values.entrySet().stream()
                                .map(entry -> commands.set(prefix + entry.getKey(), entry.getValue(), once)
                                        .toCompletableFuture())
                                .toArray(CompletableFuture[]::new))
                        .thenApply(done -> (Void) null),
                writeErrors,
                "cannot record whom a message was sent to");
    }

    @Override
    public Mono<Void> forget(String message, Collection<String> recipients) {
        String prefix = prefix(message);
        String[] keys = recipients.stream().map(recipient -> prefix + recipient).toArray(String[]::new);
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
}
