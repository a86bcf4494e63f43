package io.cakemail.gateway.server.listen;

import static java.util.Objects.requireNonNull;

import io.cakemail.gateway.common.Setting;
import io.cakemail.gateway.server.admin.SmtpMeters;
import io.cakemail.gateway.server.config.GatewayConfig;
import io.cakemail.gateway.server.config.ServerSettings;
import io.cakemail.gateway.server.config.StartupException;
import io.cakemail.gateway.server.limits.ClientLimits;
import io.cakemail.gateway.server.limits.ConnectionLimiter;
import io.cakemail.gateway.server.limits.FleetLimits;
import io.cakemail.gateway.server.tls.ReloadingTls;
import io.cakemail.gateway.smtp.MessageReceiver;
import io.cakemail.gateway.smtp.SmtpAuthenticator;
import io.cakemail.gateway.smtp.SmtpChannelInitializer;
import io.cakemail.gateway.smtp.SmtpServerConfig;
import io.cakemail.gateway.smtp.SmtpServices;
import io.cakemail.gateway.smtp.TlsHandlerFactory;
import io.cakemail.gateway.smtp.TlsMode;
import io.cakemail.gateway.smtp.session.SmtpServerHandler;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.ChannelGroupFuture;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The two SMTP listeners (submission with STARTTLS, implicit TLS) on native epoll when available, NIO otherwise.
 * {@link #close()} drains gracefully: listeners stop accepting, idle sessions get {@code 421 4.7.0}, sessions
 * waiting for a hand-over get their reply first; whatever is still open when the drain ends is closed, and no step
 * waits without a deadline.
 */
public final class GatewayServer implements AutoCloseable {

    private static final Logger log = LogManager.getLogger(GatewayServer.class);
    /** How long the sessions left after the drain may take to close; closing does not wait for the client. */
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

    private final EventLoops loops;
    private final boolean ownsLoops;
    private final Duration drainTimeout;
    private final ChannelGroup sessions = new DefaultChannelGroup("smtp-sessions", GlobalEventExecutor.INSTANCE);
    private final ConnectionLimiter limiter;
    private final GatewayConfig.ProxyProtocol proxy;
    private final ProxyProtocolHandler.Rejections proxyRejections;
    private final Channel smtpChannel;
    private final Channel smtpsChannel;
    private ReloadingTls serverTls;

    private GatewayServer(
            GatewayConfig config,
            EventLoops loops,
            boolean ownsLoops,
            MeterRegistry registry,
            SmtpAuthenticator authenticator,
            MessageReceiver receiver,
            FleetLimits fleet)
            throws Exception {
        this.loops = loops;
        this.ownsLoops = ownsLoops;
        this.drainTimeout = config.drainTimeout();
        ClientLimits clients = new ClientLimits(config.limits(), fleet, registry);
        limiter = new ConnectionLimiter(config.maxConnections(), clients);
        proxy = config.proxy();
        proxyRejections = new ProxyProtocolHandler.Rejections(registry);
        Channel submission = null;
        try {
            try {
                serverTls = ReloadingTls.start(config, registry);
            } catch (IllegalArgumentException e) {
                throw new StartupException(e.getMessage(), e);
            }
            TlsHandlerFactory tls = TlsHandlerFactory.of(serverTls::context, config.tlsHandshakeTimeout());
            SmtpServerConfig smtp = config.smtp();
            SmtpServices services = SmtpServices.of(authenticator, receiver)
                    .withMetrics(new SmtpMeters(registry))
                    .withPolicy(clients);
            submission = bind(
                    config,
                    registry,
                    "smtp",
                    ServerSettings.SMTP_PORT,
                    config.smtpPort(),
                    new SmtpChannelInitializer(smtp, services, TlsMode.STARTTLS, tls));
            smtpsChannel = bind(
                    config,
                    registry,
                    "smtps",
                    ServerSettings.SMTPS_PORT,
                    config.smtpsPort(),
                    new SmtpChannelInitializer(smtp, services, TlsMode.IMPLICIT, tls));
        } catch (Exception e) {
            if (submission != null) {
                submission.close().awaitUninterruptibly();
            }
            if (serverTls != null) {
                serverTls.close();
            }
            shutdownGroups();
            throw e;
        }
        smtpChannel = submission;
        log.info(
                "SMTP listening on {} (STARTTLS) and {} (implicit TLS), transport {}{}",
                smtpChannel.localAddress(),
                smtpsChannel.localAddress(),
                loops.transport(),
                proxy.enabled() ? ", PROXY protocol from " + proxy.trusted() : "");
    }

    /** Binds both listeners on event loops of their own; returns once they accept connections. */
    public static GatewayServer start(
            GatewayConfig config, MeterRegistry registry, SmtpAuthenticator authenticator, MessageReceiver receiver)
            throws Exception {
        return new GatewayServer(
                requireNonNull(config, "config"),
                new EventLoops(config.ioThreads()),
                true,
                requireNonNull(registry, "registry"),
                requireNonNull(authenticator, "authenticator"),
                requireNonNull(receiver, "receiver"),
                null);
    }

    /**
     * Binds both listeners on {@code loops}, which the caller owns.
     *
     * @param fleet the per-client limits' share of the fleet's Redis, or {@code null} for none
     */
    public static GatewayServer start(
            GatewayConfig config,
            EventLoops loops,
            MeterRegistry registry,
            SmtpAuthenticator authenticator,
            MessageReceiver receiver,
            FleetLimits fleet)
            throws Exception {
        return new GatewayServer(config, loops, false, registry, authenticator, receiver, fleet);
    }

    /** The bound submission (STARTTLS) port. */
    public int smtpPort() {
        return ((InetSocketAddress) smtpChannel.localAddress()).getPort();
    }

    /** The bound implicit TLS port. */
    public int smtpsPort() {
        return ((InetSocketAddress) smtpsChannel.localAddress()).getPort();
    }

    /** When the certificate served now stops being valid. */
    /** Whether the configured certificate is still awaited (a self-signed one serves meanwhile): not ready. */
    public boolean waitingForCertificate() {
        return serverTls.waiting();
    }

    public Instant certificateNotAfter() {
        return serverTls.notAfter();
    }

    /** The SMTP connections open now. */
    public int connections() {
        return limiter.connections();
    }

    /**
     * Binds a listener, counting its connections as {@code smtp.connections} tagged {@code listener} ({@code smtp}
     * or {@code smtps}).
     *
     * @param setting the setting {@code port} comes from, for the message when it cannot be bound
     */
    private Channel bind(
            GatewayConfig config,
            MeterRegistry registry,
            String listener,
            Setting<Integer> setting,
            int port,
            SmtpChannelInitializer smtp)
            throws InterruptedException {
        Counter accepted = Counter.builder("smtp.connections")
                .tag("listener", listener)
                .description("SMTP connections accepted, by listener")
                .register(registry);
        ChannelFuture bound = new ServerBootstrap()
                .group(loops.boss(), loops.workers())
                .channel(loops.serverChannelType())
                .option(ChannelOption.SO_BACKLOG, 4096)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        accepted.increment();
                        sessions.add(ch);
                        if (proxy.enabled()) {
                            new ProxyProtocolHandler(
                                            proxy.trusted(),
                                            proxy.headerTimeout(),
                                            proxyRejections,
                                            session -> installSession(session, smtp))
                                    .install(ch);
                        } else {
                            installSession(ch, smtp);
                        }
                    }
                })
                .bind(config.bindAddress(), port)
                .await();
        if (!bound.isSuccess()) {
            throw new StartupException(
                    setting.name() + ": " + port + " cannot be bound on " + config.bindAddress() + " ("
                            + bound.cause().getMessage() + ")",
                    bound.cause());
        }
        return bound.channel();
    }

    /** The SMTP session's handlers, behind the connection limiter, at the end of {@code channel}'s pipeline. */
    private void installSession(Channel channel, SmtpChannelInitializer smtp) {
        ChannelPipeline pipeline = channel.pipeline().addLast("smtp", smtp);
        // The SMTP initializer has run: on implicit TLS, the limiter's reply must go through "tls".
        if (pipeline.get("tls") != null) {
            pipeline.addAfter("tls", "limiter", limiter);
        } else {
            pipeline.addFirst("limiter", limiter);
        }
    }

    @Override
    public void close() {
        log.info("Shutting down: {} SMTP sessions open", sessions.size());
        smtpChannel.close().awaitUninterruptibly();
        smtpsChannel.close().awaitUninterruptibly();
        ChannelGroupFuture drained = sessions.newCloseFuture();
        for (Channel session : sessions) {
            session.eventLoop().execute(() -> session.pipeline().fireUserEventTriggered(SmtpServerHandler.SHUTDOWN));
        }
        if (!drained.awaitUninterruptibly(drainTimeout.toMillis())) {
            log.warn("Drain timeout ({}): closing the {} SMTP sessions still open", drainTimeout, sessions.size());
        }
        if (!sessions.close().awaitUninterruptibly(CLOSE_TIMEOUT.toMillis())) {
            log.warn("{} SMTP sessions did not close within {}", sessions.size(), CLOSE_TIMEOUT);
        }
        serverTls.close();
        shutdownGroups();
    }

    private void shutdownGroups() {
        if (ownsLoops) {
            loops.close();
        }
    }
}
