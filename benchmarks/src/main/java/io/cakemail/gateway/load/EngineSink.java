package io.cakemail.gateway.load;

import io.cakemail.gateway.smtp.AuthResult;
import io.cakemail.gateway.smtp.MessageSink;
import io.cakemail.gateway.smtp.SmtpChannelInitializer;
import io.cakemail.gateway.smtp.SmtpReply;
import io.cakemail.gateway.smtp.SmtpServerConfig;
import io.cakemail.gateway.smtp.SmtpServices;
import io.cakemail.gateway.smtp.TlsMode;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;

/**
 * The gateway's SMTP engine with a receiver that drops every message and answers 250: the counterpart of Postfix's
 * {@code smtp-sink} in {@code benchmarks/scripts/vs-smtp-sink.sh}. Plaintext, no AUTH. It lives in the benchmarks module,
 * outside the gateway's jar, so no production configuration can turn it on.
 *
 * <pre>java -cp benchmarks.jar io.cakemail.gateway.load.EngineSink [port] [io threads]</pre>
 */
public final class EngineSink {

    private static final CompletableFuture<SmtpReply> ACCEPTED =
            CompletableFuture.completedFuture(SmtpReply.of(250, "2.0.0", "Discarded"));

    private EngineSink() {}

    public static void main(String[] args) throws InterruptedException {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 2526;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 0;
        SmtpServerConfig config = SmtpServerConfig.builder()
                .authRequired(false)
                .tlsRequiredForAuth(false)
                .maxRecipients(1000)
                .build();
        boolean epoll = Epoll.isAvailable();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(
                threads, epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        Channel server = new ServerBootstrap()
                .group(group)
                .channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 4096)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new SmtpChannelInitializer(
                        config,
                        SmtpServices.of(
                                (session, username, password) ->
                                        CompletableFuture.completedFuture(AuthResult.rejected()),
                                envelope -> Discard.INSTANCE),
                        TlsMode.NONE,
                        null))
                .bind("127.0.0.1", port)
                .sync()
                .channel();
        System.out.println("engine sink listening on 127.0.0.1:" + port);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close().syncUninterruptibly();
            group.shutdownGracefully();
            stopped.countDown();
        }));
        stopped.await();
    }

    /** Drops the content, accepts the message. */
    private enum Discard implements MessageSink {
        INSTANCE;

        @Override
        public void content(ByteBuf chunk) {}

        @Override
        public CompletionStage<SmtpReply> end() {
            return ACCEPTED;
        }

        @Override
        public void abort() {}
    }
}
