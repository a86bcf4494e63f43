package io.cakemail.gateway.server;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import reactor.core.publisher.Mono;

/**
 * The gateway's one connection to the Redis of its fleet (Lettuce, on Netty, never blocking): opened in the
 * background, reconnected by Lettuce when lost, opened again when the first attempt failed. Every command fails
 * at once while there is no connection, and after the timeout when Redis is slow; failures are logged
 * (rate-limited, {@code io.cakemail.gateway.redis}) and counted in {@code smtp.redis.errors} tagged
 * {@code operation}. What a failure means is the caller's choice.
 */
final class RedisConnection implements AutoCloseable {

    private static final Logger log = LogManager.getLogger("io.cakemail.gateway.redis");

    private final RedisClient client;
    private final RedisURI uri;
    private final Duration timeout;
    private final MeterRegistry registry;
    /** The connection, or its attempt; replaced by a new attempt when one failed. */
    private final AtomicReference<CompletableFuture<StatefulRedisConnection<String, String>>> connection =
            new AtomicReference<>();

    RedisConnection(GatewayConfig.Redis config, MeterRegistry registry) {
        this.uri = RedisURI.create(config.url().toString());
        this.timeout = config.timeout();
        this.registry = registry;
        this.client = RedisClient.create();
        client.setOptions(ClientOptions.builder()
                .socketOptions(SocketOptions.builder().connectTimeout(timeout).build())
                .timeoutOptions(TimeoutOptions.enabled(timeout))
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .autoReconnect(true)
                .build());
        commands(); // connect now, in the background
    }

    /** The counter of the failures of {@code operation}. */
    Counter errors(String operation) {
        return Counter.builder("smtp.redis.errors")
                .tag("operation", operation)
                .description("Redis commands that failed or timed out")
                .register(registry);
    }

    /**
     * Runs {@code command} (Lettuce's asynchronous commands, the lightest: every message of a fleet makes one), which
     * Lettuce times out; a failure is counted in {@code errors} and logged with {@code what} (what could not be done,
     * and so what happens now) before the caller sees it.
     */
    <T> Mono<T> run(
            Function<RedisAsyncCommands<String, String>, CompletionStage<T>> command, Counter errors, String what) {
        return Mono.defer(() -> commands().flatMap(redis -> Mono.fromCompletionStage(command.apply(redis))))
                .doOnError(error -> {
                    errors.increment();
                    log.warn("Redis: {}: {}", what, error.toString());
                });
    }

    /** The commands of the connection, connecting first (once at a time) when there is none. */
    private Mono<RedisAsyncCommands<String, String>> commands() {
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
        if (current.isDone() && !current.isCompletedExceptionally()) {
            return Mono.just(current.join().async()); // the usual case: connected
        }
        return Mono.fromFuture(current, true).map(StatefulRedisConnection::async);
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
