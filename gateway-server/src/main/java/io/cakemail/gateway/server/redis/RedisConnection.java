package io.cakemail.gateway.server.redis;

import io.cakemail.gateway.server.config.GatewayConfig;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import reactor.core.publisher.Mono;

/**
 * The gateway's connections to the Redis of its fleet (Lettuce, never blocking): one on each of the gateway's event
 * loops, so a session's command is written and its answer read on the session's own loop, with no thread in
 * between. Each is opened in the background, reconnected by Lettuce when lost, and opened again when the first
 * attempt failed. Every command fails at once while there is no connection, and after the timeout when Redis is slow;
 * failures are logged (rate-limited, {@code io.cakemail.gateway.redis}) and counted in {@code smtp.redis.errors}
 * tagged {@code operation}. What a failure means is the caller's choice.
 *
 * <p>Commands are flushed here and nowhere else: every command issued through the commands a caller is given, in
 * {@link #run} or later from one of its answers' callbacks, is flushed with the others its loop writes before the loop
 * turns to its next task. Lettuce's automatic flushing is off, so a command issued anywhere else would never leave.
 */
public final class RedisConnection implements AutoCloseable {

    private static final Logger log = LogManager.getLogger("io.cakemail.gateway.redis");

    private final RedisURI uri;
    private final MeterRegistry registry;
    /** Lettuce's timer and computation threads, shared by the connections. */
    private final ClientResources resources;

    private final List<LoopConnection> connections = new ArrayList<>();

    public RedisConnection(GatewayConfig.Redis config, MeterRegistry registry, EventLoopGroup loops) {
        this.uri = RedisURI.create(config.url().toString());
        this.registry = registry;
        this.resources = DefaultClientResources.create();
        ClientOptions options = ClientOptions.builder()
                .socketOptions(SocketOptions.builder()
                        .connectTimeout(config.timeout())
                        .tcpNoDelay(true)
                        .build())
                .timeoutOptions(TimeoutOptions.enabled(config.timeout()))
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .autoReconnect(true)
                .build();
        for (EventExecutor loop : loops) {
            RedisClient client = RedisClient.create(resources
                    .mutate()
                    .eventLoopGroupProvider(new LettuceOnGatewayLoops((EventLoop) loop))
                    .build());
            client.setOptions(options);
            connections.add(new LoopConnection((EventLoop) loop, client));
        }
        connections.forEach(LoopConnection::connected); // connect now, in the background
    }

    /** The counter of the failures of {@code operation}. */
    public Counter errors(String operation) {
        return Counter.builder("smtp.redis.errors")
                .tag("operation", operation)
                .description("Redis commands that failed or timed out")
                .register(registry);
    }

    /**
     * Runs {@code command} (Lettuce's asynchronous commands, the lightest: every message of a fleet makes one) on the
     * connection of the calling thread's loop, which Lettuce times out; a failure is counted in {@code errors} and
     * logged with {@code what} (what could not be done, and so what happens now) before the caller sees it.
     */
    public <T> Mono<T> run(
            Function<RedisAsyncCommands<String, String>, CompletionStage<T>> command, Counter errors, String what) {
        return Mono.defer(() -> connection().run(command)).doOnError(error -> {
            errors.increment();
            log.warn("Redis: {}: {}", what, error.toString());
        });
    }

    /** The connection of the calling thread's loop; the first one for a thread that is no loop of the gateway's. */
    private LoopConnection connection() {
        for (LoopConnection connection : connections) {
            if (connection.loop.inEventLoop()) {
                return connection;
            }
        }
        return connections.get(0);
    }

    @Override
    public void close() {
        connections.forEach(LoopConnection::close);
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }

    /** One connection, registered on one loop. */
    private final class LoopConnection {

        private final EventLoop loop;
        private final RedisClient client;
        /** Whether a flush of the commands written on the loop is on its way; read and written on the loop only. */
        private boolean flushScheduled;
        /** The connection, or its attempt; replaced by a new attempt when one failed. */
        private final AtomicReference<CompletableFuture<Connected>> connection = new AtomicReference<>();

        LoopConnection(EventLoop loop, RedisClient client) {
            this.loop = loop;
            this.client = client;
        }

        /**
         * Writes {@code command} and flushes it with the other commands its loop writes before it turns to its next
         * task: the sessions whose data one read of the loop brought reach Redis in one write, and Redis answers them
         * in one. A thread that is no loop's flushes at once.
         */
        <T> Mono<T> run(Function<RedisAsyncCommands<String, String>, CompletionStage<T>> command) {
            return connected().flatMap(redis -> Mono.fromCompletionStage(command.apply(redis.commands())));
        }

        /**
         * The asynchronous commands of {@code redis}, each of which, once issued, has its flush on the way: a command
         * a callback issues (an {@code EXPIRE} after an {@code INCR} answered) leaves as surely as the first.
         */
        @SuppressWarnings("unchecked")
        private RedisAsyncCommands<String, String> flushing(StatefulRedisConnection<String, String> redis) {
            RedisAsyncCommands<String, String> commands = redis.async();
            return (RedisAsyncCommands<String, String>) Proxy.newProxyInstance(
                    RedisAsyncCommands.class.getClassLoader(),
                    new Class<?>[] {RedisAsyncCommands.class},
                    (proxy, method, args) -> {
                        Object result;
                        try {
                            result = method.invoke(commands, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                        flushSoon(redis);
                        return result;
                    });
        }

        private void flushSoon(StatefulRedisConnection<String, String> redis) {
            if (!loop.inEventLoop()) {
                redis.flushCommands();
            } else if (!flushScheduled) {
                flushScheduled = true;
                loop.execute(() -> {
                    flushScheduled = false;
                    redis.flushCommands();
                });
            }
        }

        /** The connection, connecting first (once at a time) when there is none. */
        Mono<Connected> connected() {
            CompletableFuture<Connected> current = connection.get();
            if (current == null || current.isCompletedExceptionally()) {
                CompletableFuture<Connected> next = client.connectAsync(StringCodec.UTF8, uri)
                        .thenApply(opened -> {
                            opened.setAutoFlushCommands(false); // its commands flush themselves: flushing()
                            return new Connected(opened, flushing(opened));
                        })
                        .toCompletableFuture();
                if (connection.compareAndSet(current, next)) {
                    next.whenComplete((opened, error) -> {
                        if (error != null) {
                            log.warn(
                                    "Cannot connect to Redis at {}:{}: {}",
                                    uri.getHost(),
                                    uri.getPort(),
                                    error.toString());
                        } else {
                            log.info("Connected to Redis at {}:{} from {}", uri.getHost(), uri.getPort(), loop);
                        }
                    });
                    current = next;
                } else {
                    current = connection.get();
                }
            }
            if (current.isDone() && !current.isCompletedExceptionally()) {
                return Mono.just(current.join()); // the usual case: connected
            }
            return Mono.fromFuture(current, true);
        }

        void close() {
            CompletableFuture<Connected> current = connection.get();
            if (current != null && current.isDone() && !current.isCompletedExceptionally()) {
                current.join().connection().close();
            }
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }

    /** An open connection and the commands that flush themselves on it. */
    private record Connected(
            StatefulRedisConnection<String, String> connection, RedisAsyncCommands<String, String> commands) {}
}
