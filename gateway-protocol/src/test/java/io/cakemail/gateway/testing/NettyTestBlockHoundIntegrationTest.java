package io.cakemail.gateway.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.cakemail.gateway.testkit.Await;
import io.netty.buffer.AdaptiveByteBufAllocator;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.Future;
import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.StampedLock;
import org.junit.jupiter.api.Test;

/**
 * What {@link NettyTestBlockHoundIntegration} tolerates happens, and passes, on an event loop. The test reaches into
 * Netty's internals on purpose: when Netty renames what the rule names, this test fails instead of the rule silently
 * matching nothing.
 */
class NettyTestBlockHoundIntegrationTest {

    /**
     * Netty's adaptive allocator adds magazines when event loops contend for one, and frees the old ones under each
     * magazine's write lock, which another loop may hold for the instant of an allocation.
     */
    @Test
    void freeingAMagazineAnotherEventLoopIsAllocatingFromWaitsInsteadOfFailing() throws Exception {
        Object magazine = firstMagazine(new AdaptiveByteBufAllocator());
        StampedLock allocationLock = field(magazine, "allocationLock");
        Method free = magazine.getClass().getDeclaredMethod("free");
        free.setAccessible(true);
        EventLoopGroup loop = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            Thread loopThread = loop.submit(Thread::currentThread).get();
            long stamp = allocationLock.writeLock(); // as an allocation on another event loop would
            Future<?> freed = loop.submit(() -> {
                try {
                    free.invoke(magazine);
                } catch (InvocationTargetException e) {
                    if (e.getCause() instanceof Error blockHoundError) { // when the rule does not match
                        throw blockHoundError;
                    }
                    throw e;
                }
                return null;
            });
            Await.until(
                    "the event loop waiting for the lock",
                    Duration.ofSeconds(10),
                    () -> loopThread.getState() == Thread.State.WAITING);
            allocationLock.unlockWrite(stamp);

            assertThat(freed.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(freed.cause()).isNull();
        } finally {
            loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    private static Object firstMagazine(AdaptiveByteBufAllocator allocator) throws ReflectiveOperationException {
        Object pool = field(allocator, "direct");
        Object group = field(pool, "largeBufferMagazineGroup");
        return Array.get(field(group, "magazines"), 0);
    }

    @SuppressWarnings("unchecked")
    private static <T> T field(Object owner, String name) throws ReflectiveOperationException {
        Field field = owner.getClass().getDeclaredField(name);
        field.setAccessible(true);
        return (T) field.get(owner);
    }
}
