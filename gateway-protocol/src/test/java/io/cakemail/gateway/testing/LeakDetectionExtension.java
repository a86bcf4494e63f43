package io.cakemail.gateway.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.util.List;
import org.apache.logging.log4j.LogManager;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class when Netty reports a leaked buffer after it ran. Registered for every test class through
 * {@code META-INF/services} (autodetection is on in the Surefire configuration). It also initialises logging on
 * the test thread, so no event loop ever reads the logging configuration from disk.
 */
public final class LeakDetectionExtension implements BeforeAllCallback, AfterAllCallback {

    private static final int ROUNDS = 5;

    @Override
    public void beforeAll(ExtensionContext context) {
        LogManager.getContext(false);
        if (ResourceLeakDetector.getLevel() != ResourceLeakDetector.Level.PARANOID) {
            throw new IllegalStateException("run tests with -Dio.netty.leakDetection.level=paranoid");
        }
        RecordingLeakDetector.drain();
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
            throw new AssertionError(leaks.size() + " leak(s) after " + context.getDisplayName() + ":\n"
                                     + String.join("\n\n", leaks));
        }
    }

    private static void touch(ByteBuf buf) {
        buf.writeByte(1);
        buf.release();
    }
}
