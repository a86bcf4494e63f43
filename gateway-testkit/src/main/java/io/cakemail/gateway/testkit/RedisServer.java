package io.cakemail.gateway.testkit;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} (Debian's, which {@code .ci/run} installs) on a free loopback port, without
 * persistence, for as long as the test holds it ({@link GatewayExtension#redis}, which closes it); it can be stopped and started again on the same port. A test
 * that needs it is skipped where it is not installed.
 */
public final class RedisServer implements AutoCloseable {

    private static final Path SERVER = Path.of("/usr/bin/redis-server");

    private final int port;
    private Process process;

    private RedisServer(int port) {
        this.port = port;
    }

    static RedisServer start() throws Exception {
        assumeTrue(Files.isExecutable(SERVER), "redis-server is not installed (apt-get install redis-server)");
        RedisServer redis = new RedisServer(FreePorts.next());
        redis.startAgain();
        return redis;
    }

    public int port() {
        return port;
    }

    /** {@code redis://127.0.0.1:<port>/0}. */
    public URI url() {
        return URI.create("redis://127.0.0.1:" + port + "/0");
    }

    /** Starts the server again on its port (after {@link #stop}), and waits until it accepts connections. */
    public void startAgain() throws Exception {
        process = new ProcessBuilder(
                        SERVER.toString(),
                        "--port",
                        String.valueOf(port),
                        "--bind",
                        "127.0.0.1",
                        "--save",
                        "",
                        "--appendonly",
                        "no")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        Await.listening("redis-server", port, Duration.ofSeconds(10));
    }

    /**
     * Every key the server holds now, with its time to live in seconds ({@code -1}: none), read with {@code SCAN}
     * and {@code TTL} over a connection of the test's own, so nothing the gateway has not sent is flushed by it.
     */
    public Map<String, Long> keysWithTtl() {
        RedisClient client = RedisClient.create(url().toString());
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            RedisCommands<String, String> redis = connection.sync();
            Map<String, Long> keys = new TreeMap<>();
            ScanCursor cursor = ScanCursor.INITIAL;
            do {
                KeyScanCursor<String> page = redis.scan(cursor);
                for (String key : page.getKeys()) {
                    keys.put(key, redis.ttl(key));
                }
                cursor = page;
            } while (!cursor.isFinished());
            return keys;
        } finally {
            client.shutdown();
        }
    }

    /** Stops the server without closing its connections ({@code SIGSTOP}): every command waits, as on a hung host. */
    public void freeze() throws Exception {
        signal("STOP");
    }

    /** Lets a {@linkplain #freeze frozen} server go on. */
    public void thaw() throws Exception {
        signal("CONT");
    }

    private void signal(String name) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + name, String.valueOf(process.pid())).start();
        if (kill.waitFor() != 0) {
            throw new IllegalStateException("kill -" + name + " failed");
        }
    }

    /** Kills the server, as a crash would, and waits (ten seconds at most) for it to be gone. */
    public void stop() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stop();
    }
}
