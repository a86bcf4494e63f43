package io.cakemail.gateway.core.api;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.resolver.dns.DnsAddressResolverGroup;
import io.netty.resolver.dns.DnsServerAddressStreamProviders;
import io.netty.util.AsciiString;
import io.netty.util.HashedWheelTimer;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import reactor.core.publisher.Mono;

/**
 * The HTTP/2 client of the gateway's API calls, on Netty's frame-level HTTP/2 handler: h2 over TLS (ALPN) or h2c
 * with prior knowledge. A few connections (up to the configured maximum) carry every request as a stream, each
 * connection up to its peer's {@code MAX_CONCURRENT_STREAMS} and the configured limit; requests beyond wait in
 * order for a stream. Host names are resolved without blocking. When a TLS server does not offer h2, the request
 * fails with {@link NotHttp2Exception} and {@link #offersHttp2()} turns false, so the caller can use HTTP/1.1.
 */
final class Http2ApiClient implements AutoCloseable {

    /** The API did not agree to HTTP/2. */
    static final class NotHttp2Exception extends IOException {
        NotHttp2Exception(String protocol) {
            super("the API negotiated " + protocol + ", not h2");
        }
    }

    private static final AsciiString JSON = AsciiString.cached("application/json");
    /** How long a connection without streams may stay quiet before it is closed. */
    private static final Duration IDLE = Duration.ofSeconds(60);
    /**
     * Every exchange's deadline, to 10 ms: a timeout is set and cancelled per request, in constant time and without
     * waking an event loop (scheduling on a loop costs a priority-queue insert, often from another thread).
     */
    private static final HashedWheelTimer DEADLINES =
            new HashedWheelTimer(new DefaultThreadFactory("cakemail-api-deadlines", true), 10, TimeUnit.MILLISECONDS);

    private final ApiConfig config;
    private final EventLoopGroup ownLoops;
    private final EventLoopGroup loops;
    /** The loops of {@link #loops}, to find the caller's among them without an iterator per request. */
    private final EventExecutor[] loopMembers;

    private final DnsAddressResolverGroup resolver;
    private final Bootstrap bootstrap;
    private final SslContext tls;
    private final String host;
    private final int port;
    private final AsciiString scheme;
    private final AsciiString authority;
    /** The base URI's path, without its final slash, before each request's path. */
    private final String basePath;

    private final List<Slot> connections = new ArrayList<>();
    private final Deque<Http2Exchange> waiting = new ArrayDeque<>();
    private volatile boolean http2Refused;
    private volatile RequestHeaders lastHeaders;
    private boolean closed;

    /** @param loops the event loops to run on, or {@code null} for one of its own */
    Http2ApiClient(ApiConfig config, EventLoopGroup loops) throws SSLException {
        this.config = config;
        DEADLINES.start(); // here, not on the first request: starting waits for the timer's thread
        boolean epoll = loops instanceof IoEventLoopGroup group && group.isIoType(EpollIoHandler.class);
        this.ownLoops = loops == null ? new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory()) : null;
        this.loops = loops != null ? loops : ownLoops;
        List<EventExecutor> members = new ArrayList<>();
        this.loops.forEach(members::add);
        this.loopMembers = members.toArray(EventExecutor[]::new);
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
        this.bootstrap = new Bootstrap()
                .group(this.loops)
                .channel(sockets)
                .resolver(resolver)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int)
                        config.connectTimeout().toMillis())
                .option(ChannelOption.TCP_NODELAY, true)
                .remoteAddress(host, port);
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

    /** False once a TLS server has answered ALPN without h2. */
    boolean offersHttp2() {
        return !http2Refused;
    }

    /** Sends a request; {@code body} (may be null) is called once, when the request is written. */
    Mono<ApiResponse> send(
            HttpMethod method,
            String pathAndQuery,
            String bearer,
            String contentType,
            Supplier<ByteBuf> body,
            Duration timeout) {
        Http2Headers headers = requestHeaders(method, pathAndQuery, bearer, contentType);
        Duration wait = timeout != null ? timeout : config.responseTimeout();
        return Mono.create(caller -> {
            Http2Exchange exchange = new Http2Exchange(headers, body, caller);
            exchange.timeOutAfter(wait, DEADLINES);
            dispatch(exchange);
        });
    }

    /**
     * The headers of a request: those of the previous request when they are the same (the usual case, one path and
     * one token), which spares building them and lets HPACK find the long token's hash already computed. Headers are
     * never changed once built.
     */
    private Http2Headers requestHeaders(HttpMethod method, String pathAndQuery, String bearer, String contentType) {
        RequestHeaders last = lastHeaders;
        if (last != null
                && last.method.equals(method)
                && last.pathAndQuery.equals(pathAndQuery)
                && Objects.equals(last.bearer, bearer)
                && Objects.equals(last.contentType, contentType)) {
            return last.headers;
        }
        // not validated: every name is one of these constants
        Http2Headers headers = new DefaultHttp2Headers(false)
                .method(method.asciiName())
                .scheme(scheme)
                .authority(authority)
                .path(basePath + pathAndQuery)
                .set(HttpHeaderNames.ACCEPT, JSON);
        if (bearer != null) {
            headers.set(HttpHeaderNames.AUTHORIZATION, "Bearer " + bearer);
        }
        if (contentType != null) {
            headers.set(HttpHeaderNames.CONTENT_TYPE, contentType);
        }
        lastHeaders = new RequestHeaders(method, pathAndQuery, bearer, contentType, headers);
        return headers;
    }

    /** A request's headers and what they were made of; its text leaves the token out. */
    record RequestHeaders(
            HttpMethod method, String pathAndQuery, String bearer, String contentType, Http2Headers headers) {
        @Override
        public String toString() {
            return "RequestHeaders[" + method + ' ' + pathAndQuery + ", bearer=***, contentType=" + contentType + ']';
        }
    }

    private void dispatch(Http2Exchange exchange) {
        EventLoop here = callerLoop();
        Slot slot;
        synchronized (this) {
            if (closed) {
                exchange.fail(new IOException("the API client is closed"));
                return;
            }
            if (http2Refused) {
                exchange.fail(new NotHttp2Exception("HTTP/1.1"));
                return;
            }
            slot = freeSlot(here);
            if (slot == null) {
                waiting.add(exchange);
                return;
            }
            slot.active++;
        }
        slot.start(exchange);
    }

    /**
     * A connection with a stream to spare, or a new one if there is room, or {@code null}. A caller on one of the
     * client's event loops ({@code here}, else {@code null}) gets a connection of that loop when it can, its first
     * one opened for it, so that its request and the answer do not change threads. Holds the lock.
     */
    private Slot freeSlot(EventLoop here) {
        Slot other = null;
        boolean connectedHere = false;
        for (Slot slot : connections) {
            boolean local = slot.loop() == here;
            connectedHere |= local;
            if (slot.accepts()) {
                if (local) {
                    return slot;
                }
                other = other == null ? slot : other;
            }
        }
        boolean room = connections.size() < config.maxConnections();
        if (other != null && (connectedHere || here == null || !room)) {
            return other;
        }
        if (!room) {
            return null;
        }
        Slot slot = new Slot(here != null ? here : loops.next());
        connections.add(slot);
        slot.connect();
        return slot;
    }

    /** The event loop of this client the calling thread runs, or {@code null}. */
    private EventLoop callerLoop() {
        for (EventExecutor loop : loopMembers) {
            if (loop.inEventLoop()) {
                return (EventLoop) loop;
            }
        }
        return null;
    }

    private void streamFreed(Slot slot) {
        Http2Exchange next;
        synchronized (this) {
            slot.active--;
            next = slot.accepts() ? waiting.poll() : null;
            if (next != null) {
                slot.active++;
            }
        }
        if (next != null) {
            slot.start(next);
        }
    }

    private void connectionGone(Slot slot, Throwable cause) {
        List<Http2Exchange> retry;
        synchronized (this) {
            connections.remove(slot);
            retry = new ArrayList<>(waiting);
            waiting.clear();
        }
        slot.failQueued(cause);
        retry.forEach(this::dispatch);
    }

    @Override
    public void close() {
        List<Slot> open;
        List<Http2Exchange> left;
        synchronized (this) {
            closed = true;
            open = new ArrayList<>(connections);
            left = new ArrayList<>(waiting);
            waiting.clear();
        }
        IOException closing = new IOException("the API client is closed");
        left.forEach(exchange -> exchange.fail(closing));
        open.forEach(slot -> slot.close(closing));
        resolver.close();
        if (ownLoops != null) {
            ownLoops.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        }
    }

    /** One connection of the pool: connecting, then carrying streams, until it closes. */
    private final class Slot {
        /** Exchanges given to this connection: on streams, or queued until it is ready. Guarded by the client. */
        int active;

        private final EventLoop loop;
        private Channel channel;
        private volatile Http2ApiConnection http2;
        /** Exchanges that arrived before the connection was ready; touched on its event loop only. */
        private final List<Http2Exchange> queued = new ArrayList<>();

        private volatile boolean failed;

        Slot(EventLoop loop) {
            this.loop = loop;
        }

        EventLoop loop() {
            return loop;
        }

        /** Whether to give this connection another exchange (a hint: {@link #start} has the last word). */
        boolean accepts() {
            Http2ApiConnection connection = http2;
            return !failed
                    && active < config.maxConcurrentStreams()
                    && (connection == null || connection.canOpenStream());
        }

        void connect() {
            ChannelFuture connecting = bootstrap
                    .clone(loop)
                    .handler(new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            if (tls == null) {
                                return; // h2c with prior knowledge: HTTP/2 from the first byte, once connected
                            }
                            SslHandler ssl = tls.newHandler(ch.alloc(), host, port);
                            if (!config.insecureTls()) {
                                SSLParameters parameters = ssl.engine().getSSLParameters();
                                parameters.setEndpointIdentificationAlgorithm("HTTPS");
                                ssl.engine().setSSLParameters(parameters);
                            }
                            ch.pipeline().addLast(ssl, new ApplicationProtocolNegotiationHandler("none") {
                                @Override
                                protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
                                    if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
                                        ready(ctx.channel());
                                    } else {
                                        http2Refused = true;
                                        fail(new NotHttp2Exception(protocol));
                                        ctx.close();
                                    }
                                }

                                @Override
                                protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
                                    fail(cause);
                                    ctx.close();
                                }
                            });
                        }
                    })
                    .connect();
            channel = connecting.channel();
            connecting.addListener(done -> {
                if (!done.isSuccess()) {
                    fail(done.cause());
                } else if (tls == null) {
                    ready(channel);
                }
            });
            channel.closeFuture().addListener(done -> fail(new IOException("the connection to the API closed")));
        }

        /** The channel speaks HTTP/2 from now on; on its event loop. */
        private void ready(Channel ch) {
            http2 = Http2ApiConnection.create(() -> streamFreed(this));
            ch.pipeline()
                    .addLast(
                            new IdleStateHandler(
                                    config.pingAfterQuiet().toMillis(), 0, IDLE.toMillis(), TimeUnit.MILLISECONDS),
                            http2);
            List<Http2Exchange> early = new ArrayList<>(queued);
            queued.clear();
            early.forEach(http2::start);
        }

        void start(Http2Exchange exchange) {
            if (loop.inEventLoop()) {
                startOnLoop(exchange);
            } else {
                loop.execute(() -> startOnLoop(exchange));
            }
        }

        private void startOnLoop(Http2Exchange exchange) {
            if (failed) {
                exchange.fail(new IOException("the connection to the API failed"));
                streamFreed(this);
            } else if (http2 == null) {
                queued.add(exchange);
            } else {
                http2.start(exchange);
            }
        }

        /** On the event loop: the connection failed or closed. */
        private void fail(Throwable cause) {
            if (!failed) {
                failed = true;
                connectionGone(this, cause);
            }
        }

        void failQueued(Throwable cause) {
            List<Http2Exchange> early = new ArrayList<>(queued);
            queued.clear();
            early.forEach(exchange -> exchange.fail(cause));
        }

        void close(Throwable cause) {
            loop.execute(() -> {
                failQueued(cause);
                channel.close();
            });
        }
    }
}
