package io.cakemail.gateway.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.cakemail.gateway.testkit.Await;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Proves that the two guards of the test suite are armed: a leaked buffer is reported, and a blocking call on an
 * event loop fails.
 */
class TestEnvironmentSelfTest {

    @Test
    void aLeakedBufferIsReported() {
        leak();
        List<String> leaks = Await.value(
                "the leak, reported once the buffer is collected",
                Duration.ofSeconds(10),
                () -> {
                    System.gc();
                    PooledByteBufAllocator.DEFAULT.directBuffer(8).release();
                    return RecordingLeakDetector.drain();
                },
                reported -> !reported.isEmpty());
        assertThat(leaks.get(0)).contains("ByteBuf leaked").contains("leak(");
    }

    @Test
    void blockingOnAnEventLoopFails() throws Exception {
        TestEnvironmentExtension.assertBlockHoundArmed();
    }

    private static void leak() {
        ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(16);
        buf.writeLong(42);
        buf.touch("leak(" + TestEnvironmentSelfTest.class.getSimpleName() + ")");
    }
}
