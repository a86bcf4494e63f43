package io.cakemail.gateway.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Proves that the two guards of the test suite are armed: a leaked buffer is reported, and a blocking call on an
 * event loop fails.
 */
class TestEnvironmentSelfTest {

    @Test
    void aLeakedBufferIsReported() throws InterruptedException {
        leak();
        List<String> leaks = List.of();
        for (int i = 0; i < 20 && leaks.isEmpty(); i++) {
            System.gc();
            Thread.sleep(20);
            PooledByteBufAllocator.DEFAULT.directBuffer(8).release();
            leaks = RecordingLeakDetector.drain();
        }
        assertThat(leaks).isNotEmpty();
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
