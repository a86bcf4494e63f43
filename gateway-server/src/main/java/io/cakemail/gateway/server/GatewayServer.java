package io.cakemail.gateway.server;

import static java.util.Objects.requireNonNull;

import io.cakemail.gateway.smtp.MessageReceiver;
import io.cakemail.gateway.smtp.SmtpAuthenticator;
import io.cakemail.gateway.smtp.SmtpChannelInitializer;
import io.cakemail.gateway.smtp.SmtpServerHandler;
import io.cakemail.gateway.smtp.TlsHandlerFactory;
import io.cakemail.gateway.smtp.TlsMode;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The two SMTP listeners (submission with STARTTLS, implicit TLS) on native epoll when available, NIO otherwise.
 * {@link #close()} drains gracefully: listeners stop accepting, idle sessions get {@code 421 4.7.0}, sessions
 * waiting for a hand-over get their reply first.
 */
public final class GatewayServer implements AutoCloseable {

    private static final Logger log = LogManager.getLogger(GatewayServer.class);
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(30);

    private final EventLoops loops;
    private final boolean ownsLoops;
    private final ChannelGroup sessions = new DefaultChannelGroup("smtp-sessions", GlobalEventExecutor.INSTANCE);
    private final ConnectionLimiter limiter;
    private final Channel smtpChannel;
    private final Channel smtpsChannel;

    private GatewayServer(GatewayConfig config, EventLoops loops, boolean ownsLoops, SmtpAuthenticator authenticator,
                          MessageReceiver receiver) throws Exception {
        this.loops = loops;
        this.ownsLoops = ownsLoops;
        limiter = new ConnectionLimiter(config.maxConnections());
        try {
            SslContext sslContext = ServerTls.context(config);
            TlsHandlerFactory tls = TlsHandlerFactory.of(sslContext, config.tlsHandshakeTimeout());
            smtpChannel = bind(config, config.smtpPort(),
                    new SmtpChannelInitializer(config.smtp(), authenticator, receiver, TlsMode.STARTTLS, tls));
            smtpsChannel = bind(config, config.smtpsPort(),
                    new SmtpChannelInitializer(config.smtp(), authenticator, receiver, TlsMode.IMPLICIT, tls));
        } catch (Exception e) {
            shutdownGroups();
            throw e;
        }
        log.info("SMTP listening on {} (STARTTLS) and {} (implicit TLS), transport {}",
                smtpChannel.localAddress(), smtpsChannel.localAddress(), loops.transport());
    }

    /** Binds both listeners on event loops of their own; returns once they accept connections. */
    public static GatewayServer start(GatewayConfig config, SmtpAuthenticator authenticator, MessageReceiver receiver)
            throws Exception {
        return new GatewayServer(requireNonNull(config, "config"), new EventLoops(config.ioThreads()), true,
                requireNonNull(authenticator, "authenticator"), requireNonNull(receiver, "receiver"));
    }

    /** Binds both listeners on {@code loops}, which the caller owns. */
    static GatewayServer start(GatewayConfig config, EventLoops loops, SmtpAuthenticator authenticator,
                               MessageReceiver receiver) throws Exception {
        return new GatewayServer(config, loops, false, authenticator, receiver);
    }

    /** The bound submission (STARTTLS) port. */
    public int smtpPort() {
        return ((InetSocketAddress) smtpChannel.localAddress()).getPort();
    }

    /** The bound implicit TLS port. */
    public int smtpsPort() {
        return ((InetSocketAddress) smtpsChannel.localAddress()).getPort();
    }

    /** The SMTP connections open now. */
    public int connections() {
        return limiter.connections();
    }

    private Channel bind(GatewayConfig config, int port, SmtpChannelInitializer smtp) throws InterruptedException {
        return new ServerBootstrap()
                .group(loops.boss(), loops.workers())
                .channel(loops.serverChannelType())
                .option(ChannelOption.SO_BACKLOG, 4096)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        sessions.add(ch);
                        ch.pipeline().addLast("limiter", limiter).addLast("smtp", smtp);
                    }
                })
                .bind(config.bindAddress(), port)
                .sync()
                .channel();
    }

    @Override
    public void close() {
        log.info("Shutting down: {} SMTP sessions open", sessions.size());
        smtpChannel.close().awaitUninterruptibly();
        smtpsChannel.close().awaitUninterruptibly();
        for (Channel session : sessions) {
            session.eventLoop().execute(() -> session.pipeline().fireUserEventTriggered(SmtpServerHandler.SHUTDOWN));
        }
        long deadline = System.nanoTime() + DRAIN_TIMEOUT.toNanos();
        while (!sessions.isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        sessions.close().awaitUninterruptibly();
        shutdownGroups();
    }

    private void shutdownGroups() {
        if (ownsLoops) {
            loops.close();
        }
    }
}
