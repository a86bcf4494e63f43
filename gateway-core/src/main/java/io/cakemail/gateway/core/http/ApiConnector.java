package io.cakemail.gateway.core.http;

import io.cakemail.gateway.core.api.ApiConfig;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoopGroup;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.resolver.dns.DnsAddressResolverGroup;
import io.netty.resolver.dns.DnsServerAddressStreamProviders;
import io.netty.util.AsciiString;
import java.io.IOException;
import java.net.URI;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;

/**
 * Opens connections to the API and settles their protocol: over TLS, h2 when ALPN agrees on it and HTTP/1.1
 * otherwise; in plaintext, h2c with prior knowledge when configured and HTTP/1.1 otherwise. Host names are resolved
 * without blocking; the server's certificate is checked against the host name unless TLS is configured insecure.
 */
final class ApiConnector implements AutoCloseable {

    /** Hears how a connection attempt ended. Called on the connection's event loop. */
    interface Listener {
        /** Connected; {@code http2} tells the protocol agreed, and the pipeline is ready for its handlers. */
        void connected(Channel channel, boolean http2);

        /** Could not connect, or the connection closed. */
        void failed(Throwable cause);
    }

    private final ApiConfig config;
    private final DnsAddressResolverGroup resolver;
    private final Bootstrap bootstrap;
    private final SslContext tls;
    private final String host;
    private final int port;
    final AsciiString scheme;
    final AsciiString authority;
    /** The base URI's path, without its final slash, before each request's path. */
    final String basePath;

    ApiConnector(ApiConfig config, EventLoopGroup loops) throws SSLException {
        this.config = config;
        boolean epoll = loops instanceof IoEventLoopGroup group && group.isIoType(EpollIoHandler.class);
        Class<? extends DatagramChannel> datagrams = epoll ? EpollDatagramChannel.class : NioDatagramChannel.class;
        Class<? extends SocketChannel> sockets = epoll ? EpollSocketChannel.class : NioSocketChannel.class;
        this.resolver = new DnsAddressResolverGroup(datagrams, DnsServerAddressStreamProviders.platformDefault());
        URI base = config.baseUri();
        boolean secure = base.getScheme().equals("https");
        this.host = base.getHost();
        this.port = base.getPort() != -1 ? base.getPort() : secure ? 443 : 80;
        this.scheme = AsciiString.cached(base.getScheme());
        this.authority = AsciiString.cached(base.getPort() == -1 ? host : host + ":" + port);
        String path = base.getRawPath() == null ? "" : base.getRawPath();
        this.basePath = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        this.tls = secure ? tlsContext(config) : null;
        if (!epoll) {
            initializeSocketClasses();
        }
        this.bootstrap = new Bootstrap()
                .group(loops)
                .channel(sockets)
                .resolver(resolver)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int)
                        config.connectTimeout().toMillis())
                .option(ChannelOption.TCP_NODELAY, true)
                .remoteAddress(host, port);
    }

    /**
     * Connections are opened on event loops, where nothing may block; the JDK's first socket adaptor reads a file as
     * its class initialises, so that happens here, on the thread that makes the client.
     */
    private static void initializeSocketClasses() {
        try (java.nio.channels.SocketChannel probe = java.nio.channels.SocketChannel.open()) {
            probe.socket();
        } catch (IOException e) {
            // no socket now: the first connection will say why
        }
    }

    private static SslContext tlsContext(ApiConfig config) throws SSLException {
        SslContextBuilder builder = SslContextBuilder.forClient()
                .applicationProtocolConfig(new ApplicationProtocolConfig(
                        ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                        ApplicationProtocolNames.HTTP_2,
                        ApplicationProtocolNames.HTTP_1_1));
        if (config.insecureTls()) {
            builder.trustManager(InsecureTrustManagerFactory.INSTANCE);
        }
        return builder.build();
    }

    /** Connects on {@code loop}; {@code listener} hears the outcome, and later of the connection's closing. */
    void connect(EventLoop loop, Listener listener) {
        ChannelFuture connecting = bootstrap
                .clone(loop)
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (tls != null) {
                            ch.pipeline().addLast(sslHandler(ch), new Negotiation(listener));
                        }
                    }
                })
                .connect();
        Channel channel = connecting.channel();
        connecting.addListener(done -> {
            if (!done.isSuccess()) {
                // the attempt's own cause: Netty may close the channel before it fails the attempt (a refusal on
                // epoll), and the closing alone would hide that nothing listens
                listener.failed(done.cause());
                return;
            }
            channel.closeFuture()
                    .addListener(closed -> listener.failed(new IOException("the connection to the API closed")));
            if (tls == null) {
                listener.connected(channel, config.h2c());
            }
        });
    }

    private SslHandler sslHandler(Channel ch) {
        SslHandler ssl = tls.newHandler(ch.alloc(), host, port);
        if (!config.insecureTls()) {
            SSLParameters parameters = ssl.engine().getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            ssl.engine().setSSLParameters(parameters);
        }
        return ssl;
    }

    @Override
    public void close() {
        resolver.close();
    }

    /** Settles the protocol once the TLS handshake is done: h2 if ALPN agreed on it, HTTP/1.1 otherwise. */
    private static final class Negotiation extends ApplicationProtocolNegotiationHandler {
        private final Listener listener;

        Negotiation(Listener listener) {
            super(ApplicationProtocolNames.HTTP_1_1);
            this.listener = listener;
        }

        @Override
        protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
            listener.connected(ctx.channel(), ApplicationProtocolNames.HTTP_2.equals(protocol));
        }

        @Override
        protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
            listener.failed(cause);
            ctx.close();
        }
    }
}
