package io.cakemail.gateway.server.redis;

import io.lettuce.core.resource.EventLoopGroupProvider;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutorGroup;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Gives Lettuce one of the gateway's event loops for a Redis connection instead of threads of its own: a Redis answer
 * is decoded on that loop and the message it was asked for goes on from there. The gateway owns the loop, so
 * Lettuce's release and shutdown leave it running.
 */
final class LettuceOnGatewayLoops implements EventLoopGroupProvider {

    private final EventLoop loop;

    LettuceOnGatewayLoops(EventLoop loop) {
        this.loop = loop;
    }

    /** The gateway's loop whatever {@code type} Lettuce asks for: it asks for the transport the gateway uses too. */
    @Override
    @SuppressWarnings("unchecked")
    public <T extends EventLoopGroup> T allocate(Class<T> type) {
        return (T) loop;
    }

    @Override
    public int threadPoolSize() {
        return 1;
    }

    @Override
    public Future<Boolean> release(EventExecutorGroup group, long quietPeriod, long timeout, TimeUnit unit) {
        return ImmediateEventExecutor.INSTANCE.newSucceededFuture(true);
    }

    @Override
    public Future<Boolean> shutdown(long quietPeriod, long timeout, TimeUnit unit) {
        return ImmediateEventExecutor.INSTANCE.newSucceededFuture(true);
    }
}
