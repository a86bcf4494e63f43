package io.cakemail.gateway.testkit;

import java.net.InetAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import org.awaitility.Awaitility;

/**
 * The one way a test waits for something another thread or process does: polls a condition (with Awaitility) until it
 * holds or the time is up, and fails saying what it waited for. Tests never sleep a guessed time.
 */
public final class Await {

    private static final Duration POLL = Duration.ofMillis(20);

    private Await() {}

    /** Waits until {@code condition} holds, {@code atMost} this long; fails naming {@code what}. */
    public static void until(String what, Duration atMost, Callable<Boolean> condition) {
        Awaitility.await(what)
                .atMost(atMost)
                .pollInterval(POLL)
                .pollInSameThread()
                .until(condition);
    }

    /** Waits until {@code 127.0.0.1:port} takes a connection: {@code what} (a server just started) listens. */
    public static void listening(String what, int port, Duration atMost) {
        value(
                what + " listening on " + port,
                atMost,
                () -> {
                    new Socket(InetAddress.getLoopbackAddress(), port).close();
                    return true;
                },
                connected -> connected);
    }

    /**
     * Asks {@code value} until what it answers matches {@code done}, {@code atMost} this long, and returns that answer;
     * an exception {@code value} throws counts as not yet (a server still starting, a connection refused).
     */
    public static <T> T value(String what, Duration atMost, Callable<T> value, Predicate<? super T> done) {
        return value(what, atMost, POLL, value, done);
    }

    /** The same, asking every {@code poll}: for a question that costs something, such as sending a message. */
    public static <T> T value(
            String what, Duration atMost, Duration poll, Callable<T> value, Predicate<? super T> done) {
        return Awaitility.await(what)
                .atMost(atMost)
                .pollInterval(poll)
                .pollInSameThread()
                .ignoreExceptions()
                .until(value, done::test);
    }
}
