package io.cakemail.gateway.testkit;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The one JUnit 5 extension through which a test starts gateways and what they stand on (a real Redis, an API, a
 * balancer in front of them, a process of their own). Registered as a field with {@code @RegisterExtension}: what is
 * started through it during a test (an instance field) or a test class (a static field) is closed after it, newest
 * first, even when the test fails, so a test never writes the clean-up of what it started.
 *
 * <p>A module that starts gateways extends this class with the kinds it starts (in the test's JVM, with scripted
 * services, in a process of their own) and its test defaults; this class knows none of the gateway's types, so that
 * every module may depend on the kit.
 */
public class GatewayExtension implements BeforeAllCallback, AfterEachCallback, AfterAllCallback {

    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    private boolean classWide;

    /** Closes {@code resource} after the test (or the class), before what was started earlier; returns it. */
    public final synchronized <T extends AutoCloseable> T manage(T resource) {
        started.push(resource);
        return resource;
    }

    /** A real {@code redis-server} on a free loopback port; the test is skipped where Redis is not installed. */
    public final RedisServer redis() throws Exception {
        return manage(RedisServer.start());
    }

    /**
     * Debian's HAProxy in TCP mode with {@code proxies} (frontend and backend sections), its files in {@code dir}; the
     * test is skipped where HAProxy is not installed.
     */
    public final HaproxyServer haproxy(Path dir, String... proxies) throws Exception {
        return manage(HaproxyServer.start(dir, proxies));
    }

    @Override
    public final void beforeAll(ExtensionContext context) {
        classWide = true;
    }

    @Override
    public final void afterEach(ExtensionContext context) throws Exception {
        if (!classWide) {
            closeAll();
        }
    }

    @Override
    public final void afterAll(ExtensionContext context) throws Exception {
        closeAll();
    }

    private void closeAll() throws Exception {
        Exception failure = null;
        AutoCloseable next;
        while ((next = poll()) != null) {
            try {
                next.close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private synchronized AutoCloseable poll() {
        return started.poll();
    }
}
