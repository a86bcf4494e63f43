package io.cakemail.gateway.load;

import io.cakemail.gateway.core.http.Http2Handlers;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.AsciiString;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.collection.IntObjectMap;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLException;

/**
 * A do-almost-nothing Cakemail API for load runs, so they measure the gateway and not a test server: it answers
 * {@code POST /token}, {@code GET /brands/default/senders} (one confirmed sender, {@code sender@example.com}) and
 * {@code POST /v2/emails} (201, queued) without parsing or keeping anything. HTTP/2 over cleartext with prior
 * knowledge (what the gateway speaks with {@code GATEWAY_API_H2C=true}), or over TLS with ALPN (as the real API is
 * reached), on plain Netty frames: no stream channels, no per-request objects beyond the answer, one event loop.
 * An email submission may be answered after a delay, as a distant API would.
 *
 * <pre>java -cp benchmarks.jar io.cakemail.gateway.load.FastApiSink [port] [--delay-ms N] [--tls cert.pem key.pem]</pre>
 */
public final class FastApiSink {

    private static final byte[] TOKEN = ("{\"access_token\":\"sink-token\",\"token_type\":\"bearer\","
                    + "\"expires_in\":432000,\"refresh_token\":\"sink-refresh\",\"accounts\":[1]}")
            .getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SENDERS = ("{\"pagination\":{\"page\":1,\"per_page\":100},\"data\":[{\"id\":"
                    + "\"snd-load\",\"name\":\"Load\",\"email\":\"sender@example.com\","
                    + "\"confirmed\":true}]}")
            .getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NOT_FOUND = "{\"detail\":\"not found\"}".getBytes(StandardCharsets.US_ASCII);
    private static final AsciiString JSON = AsciiString.cached("application/json");

    private FastApiSink() {}

    public static void main(String[] args) throws InterruptedException, SSLException {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 8026;
        long delayMillis = 0;
        SslContext tls = null;
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case "--delay-ms" -> delayMillis = Long.parseLong(args[++i]);
                case "--tls" -> tls = tls(new File(args[++i]), new File(args[++i]));
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        long delay = delayMillis;
        SslContext serverTls = tls;
        boolean epoll = Epoll.isAvailable();
        EventLoopGroup loop =
                new MultiThreadIoEventLoopGroup(1, epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        AtomicLong ids = new AtomicLong();
        Channel server = new ServerBootstrap()
                .group(loop)
                .channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        Responder responder = Http2Handlers.build(
                                true,
                                Http2Settings.defaultSettings(),
                                (decoder, encoder, settings) -> new Responder(decoder, encoder, settings, ids, delay));
                        if (serverTls != null) {
                            channel.pipeline().addLast(serverTls.newHandler(channel.alloc()));
                        }
                        channel.pipeline().addLast(responder);
                    }
                })
                .bind("127.0.0.1", port)
                .sync()
                .channel();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close().syncUninterruptibly();
            loop.shutdownGracefully();
        }));
        System.out.printf(
                "fast API sink listening on %s://127.0.0.1:%d, answering submissions after %d ms%n",
                tls == null ? "http" : "https", port, delay);
        server.closeFuture().sync();
    }

    /** A server context offering h2 alone by ALPN, as the gateway's client asks for it first. */
    private static SslContext tls(File certificate, File key) throws SSLException {
        return SslContextBuilder.forServer(certificate, key)
                .applicationProtocolConfig(new ApplicationProtocolConfig(
                        ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                        ApplicationProtocolNames.HTTP_2))
                .build();
    }

    /** Chooses each stream's answer from its request headers and sends it once the request has ended. */
    private static final class Responder extends Http2ConnectionHandler implements Http2Handlers.StreamFrames {
        private final AtomicLong ids;
        private final long delayMillis;
        private final IntObjectMap<Answer> pending = new IntObjectHashMap<>();

        private Responder(
                Http2ConnectionDecoder decoder,
                Http2ConnectionEncoder encoder,
                Http2Settings settings,
                AtomicLong ids,
                long delayMillis) {
            super(decoder, encoder, settings);
            this.ids = ids;
            this.delayMillis = delayMillis;
        }

        @Override
        public void headers(ChannelHandlerContext ctx, int streamId, Http2Headers headers, boolean endOfStream) {
            Answer answer = answerTo(headers.method(), headers.path());
            if (endOfStream) {
                send(ctx, streamId, answer);
            } else {
                pending.put(streamId, answer);
            }
        }

        @Override
        public void data(ChannelHandlerContext ctx, int streamId, ByteBuf data, boolean endOfStream) {
            Answer answer = endOfStream ? pending.remove(streamId) : null;
            if (answer != null) {
                send(ctx, streamId, answer);
            }
        }

        private Answer answerTo(CharSequence method, CharSequence path) {
            String target = path == null ? "" : path.toString();
            boolean post = AsciiString.contentEquals("POST", method);
            if (post && target.startsWith("/v2/emails")) {
                return new Answer(
                        "201",
                        ("{\"email\":\"\",\"object\":\"email\",\"submitted\":true,\"data\":{\"id\":" + "\"load-"
                                        + ids.incrementAndGet() + "\",\"status\":\"queued\"}}")
                                .getBytes(StandardCharsets.US_ASCII),
                        true);
            }
            if (post && target.startsWith("/token")) {
                return new Answer("200", TOKEN);
            }
            if (!post && target.startsWith("/brands/default/senders")) {
                return new Answer("200", SENDERS);
            }
            return new Answer("404", NOT_FOUND);
        }

        private void send(ChannelHandlerContext ctx, int streamId, Answer answer) {
            if (delayMillis > 0 && answer.delayed()) {
                ctx.executor()
                        .schedule(
                                () -> {
                                    write(ctx, streamId, answer);
                                    flush(ctx); // this handler's own flush: it writes what flow control holds
                                },
                                delayMillis,
                                TimeUnit.MILLISECONDS);
            } else {
                write(ctx, streamId, answer);
            }
        }

        private void write(ChannelHandlerContext ctx, int streamId, Answer answer) {
            Http2Headers headers =
                    new DefaultHttp2Headers().status(answer.status).set(HttpHeaderNames.CONTENT_TYPE, JSON);
            encoder().writeHeaders(ctx, streamId, headers, 0, false, ctx.voidPromise());
            ByteBuf body = Unpooled.wrappedBuffer(answer.body);
            encoder().writeData(ctx, streamId, body, 0, true, ctx.voidPromise());
        }

        /** An answer; {@code delayed} for an email submission, which a distant API answers later. */
        private record Answer(String status, byte[] body, boolean delayed) {

            Answer(String status, byte[] body) {
                this(status, body, false);
            }
        }
    }
}
