package io.cakemail.gateway.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import reactor.blockhound.BlockingOperationError;

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
    void blockingOnAnEventLoopFails() throws InterruptedException {
        MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            assertThatThrownBy(() -> group.submit(() -> {
                Thread.sleep(1);
                return null;
            }).get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(BlockingOperationError.class);
        } finally {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
        }
    }

    private static void leak() {
        ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(16);
        buf.writeLong(42);
        buf.touch("leak(" + TestEnvironmentSelfTest.class.getSimpleName() + ")");
    }
}
