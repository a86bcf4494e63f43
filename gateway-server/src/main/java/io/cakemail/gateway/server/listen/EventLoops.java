package io.cakemail.gateway.server.listen;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.NettyRuntime;
import java.util.concurrent.TimeUnit;

/**
 * The gateway's threads: one acceptor and the worker event loops, native epoll when available and NIO otherwise.
 * The SMTP sessions and the API client share the workers: no thread pool of its own for the API, and the API's few
 * multiplexed connections live on the same loops as the sessions they serve.
 */
public final class EventLoops implements AutoCloseable {

    private final boolean epoll = Epoll.isAvailable();
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;

    /**
     * @param threads worker threads, 0 for one per core. Not Netty's default of two per core: the loops never block,
     *                and on a loaded machine the extra loops only add wake-ups (benchmarks/HISTORY.md)
     */
    public EventLoops(int threads) {
        IoHandlerFactory handlers = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        boss = new MultiThreadIoEventLoopGroup(1, handlers);
        workers = new MultiThreadIoEventLoopGroup(threads > 0 ? threads : NettyRuntime.availableProcessors(), handlers);
    }

    EventLoopGroup boss() {
        return boss;
    }

    public EventLoopGroup workers() {
        return workers;
    }

    Class<? extends ServerChannel> serverChannelType() {
        return epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    String transport() {
        return epoll ? "epoll" : "nio";
    }

    @Override
    public void close() {
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
