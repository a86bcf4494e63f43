package io.cakemail.gateway.core.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.cakemail.gateway.core.api.ApiConfig;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How request bodies leave on HTTP/2 when the API's flow-control window is the protocol's default (64 KiB, topped
 * up as it reads): a message fanned out to many recipients has many large bodies in flight on one connection.
 */
class Http2DataFramesTest {

    private static final int BODY = 100 * 1024;

    private final List<Integer> dataFrames = new CopyOnWriteArrayList<>();
    private EventLoopGroup serverLoop;
    private EventLoopGroup clientLoop;
    private Channel server;

    @BeforeEach
    void startServer() throws InterruptedException {
        serverLoop = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        clientLoop = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        server = new ServerBootstrap()
                .group(serverLoop)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        FrameCounter counter = Http2Handlers.build(
                                true,
                                Http2Settings.defaultSettings(),
                                (decoder, encoder, settings) ->
                                        new FrameCounter(decoder, encoder, settings, dataFrames));
                        channel.pipeline().addLast(counter);
                    }
                })
                .bind("127.0.0.1", 0)
                .sync()
                .channel();
    }

    @AfterEach
    void stop() {
        server.close().syncUninterruptibly();
        serverLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        clientLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void largeBodiesOnManyStreamsGoOutInFullFramesThoughTheWindowIsSmall() {
        int port = ((InetSocketAddress) server.localAddress()).getPort();
        ApiConfig config = ApiConfig.builder(URI.create("http://127.0.0.1:" + port))
                .h2c(true)
                .maxConnections(1)
                .build();
        try (ApiHttp http = new ApiHttp(config, clientLoop)) {
            List<Integer> statuses =
                    Posts.together(http, "/v2/emails", 10, i -> Unpooled.wrappedBuffer(new byte[BODY])).stream()
                            .map(ApiResponse::status)
                            .toList();
            assertThat(statuses).hasSize(10).containsOnly(202);
        }
        assertThat(dataFrames.stream().mapToInt(Integer::intValue).sum()).isEqualTo(10 * BODY);
        // Spread thinly over the ten streams, the window's top-ups would go out as frames of a few KiB each: a frame
        // costs the client a write, a promise and a header of its own, whatever its size.
        assertThat(dataFrames.stream().mapToInt(Integer::intValue).average().orElse(0))
                .as("mean DATA frame, of %d frames", dataFrames.size())
                .isGreaterThan(12 * 1024);
    }

    /** Records the size of every DATA frame, and answers each request with 202 once its body has ended. */
    private static final class FrameCounter extends Http2ConnectionHandler implements Http2Handlers.StreamFrames {
        private final List<Integer> dataFrames;

        FrameCounter(
                Http2ConnectionDecoder decoder,
                Http2ConnectionEncoder encoder,
                Http2Settings settings,
                List<Integer> dataFrames) {
            super(decoder, encoder, settings);
            this.dataFrames = dataFrames;
        }

        @Override
        public void headers(ChannelHandlerContext ctx, int streamId, Http2Headers headers, boolean endOfStream) {
            if (endOfStream) {
                answer(ctx, streamId);
            }
        }

        @Override
        public void data(ChannelHandlerContext ctx, int streamId, ByteBuf data, boolean endOfStream) {
            if (data.isReadable()) {
                dataFrames.add(data.readableBytes());
            }
            if (endOfStream) {
                answer(ctx, streamId);
            }
        }

        private void answer(ChannelHandlerContext ctx, int streamId) {
            encoder().writeHeaders(ctx, streamId, new DefaultHttp2Headers().status("202"), 0, true, ctx.newPromise());
            flush(ctx);
        }
    }
}
