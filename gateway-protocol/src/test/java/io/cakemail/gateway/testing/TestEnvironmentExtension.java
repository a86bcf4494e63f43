package io.cakemail.gateway.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.DefaultEventLoop;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.concurrent.Future;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.logging.log4j.LogManager;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import reactor.blockhound.BlockingOperationError;

/**
 * The guards of every test class, registered through {@code META-INF/services} (autodetection is on in the
 * Surefire configuration): before the first class, it checks that BlockHound is armed and initialises logging on
 * the test thread (so no event loop reads the logging configuration from disk); after each class, it fails the
 * class if Netty reports a leaked buffer.
 */
public final class TestEnvironmentExtension implements BeforeAllCallback, AfterAllCallback {

    private static final int ROUNDS = 5;
    private static volatile boolean checked;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        if (!checked) {
            LogManager.getContext(false);
            if (ResourceLeakDetector.getLevel() != ResourceLeakDetector.Level.PARANOID) {
                throw new IllegalStateException("run tests with -Dio.netty.leakDetection.level=paranoid");
            }
            assertBlockHoundArmed();
            checked = true;
        }
        RecordingLeakDetector.drain();
    }

    /** Fails unless a blocking call on an event loop thread throws {@link BlockingOperationError}. */
    static void assertBlockHoundArmed() throws Exception {
        DefaultEventLoop loop = new DefaultEventLoop();
        try {
            Future<?> sleep = loop.submit(() -> {
                Thread.sleep(1);
                return null;
            });
            sleep.await(10, TimeUnit.SECONDS);
            if (!(sleep.cause() instanceof BlockingOperationError)) {
                throw new IllegalStateException(
                        "BlockHound is not installed: a sleep on an event loop did not fail", sleep.cause());
            }
        } finally {
            loop.shutdownGracefully(0, 0, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws InterruptedException {
        for (int i = 0; i < ROUNDS; i++) {
            System.gc();
            Thread.sleep(20);
            // A leak is reported when the detector tracks a new buffer after the leaked one was collected.
            touch(PooledByteBufAllocator.DEFAULT.directBuffer(8));
            touch(UnpooledByteBufAllocator.DEFAULT.directBuffer(8));
            touch(UnpooledByteBufAllocator.DEFAULT.heapBuffer(8));
        }
        if (!RecordingLeakDetector.installed()) {
            throw new IllegalStateException(
                    "run tests with -Dio.netty.customResourceLeakDetector=" + RecordingLeakDetector.class.getName());
        }
        List<String> leaks = RecordingLeakDetector.drain();
        if (!leaks.isEmpty()) {
            throw new AssertionError(
                    leaks.size() + " leak(s) after " + context.getDisplayName() + ":\n" + String.join("\n\n", leaks));
        }
    }

    private static void touch(ByteBuf buf) {
        buf.writeByte(1);
        buf.release();
    }
}
