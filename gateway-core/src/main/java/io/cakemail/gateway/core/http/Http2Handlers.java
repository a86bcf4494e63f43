package io.cakemail.gateway.core.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.AbstractHttp2ConnectionHandlerBuilder;
import io.netty.handler.codec.http2.DefaultHttp2Connection;
import io.netty.handler.codec.http2.DefaultHttp2RemoteFlowController;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2FrameAdapter;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.UniformStreamByteDistributor;

/**
 * Netty HTTP/2 connection handlers that take their streams' headers and data themselves, frame by frame (no stream
 * channels): the API client's connections, and the benchmarks' API sink.
 */
public final class Http2Handlers {

    /** What a handler does with the frames of its streams. */
    public interface StreamFrames {
        /** A block of headers (with or without a priority); {@code endOfStream} when nothing follows it. */
        void headers(ChannelHandlerContext ctx, int streamId, Http2Headers headers, boolean endOfStream);

        /** A piece of a stream's body, read and not retained; flow control counts it as consumed. */
        void data(ChannelHandlerContext ctx, int streamId, ByteBuf data, boolean endOfStream);

        /** The peer reset a stream ({@code RST_STREAM}) with {@code errorCode}; Netty closes it next. */
        default void reset(ChannelHandlerContext ctx, int streamId, long errorCode) {}
    }

    /** Makes the handler from the codec parts Netty's builder prepared. */
    public interface Factory<H> {
        H create(Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder, Http2Settings settings);
    }

    private Http2Handlers() {}

    /**
     * A handler of the {@code server} or client side, announcing {@code settings}, its frames going to itself. Its
     * streams share the connection's send window evenly: they carry no priorities, and Netty's default (weighted
     * fair queueing over the priority tree) costs a few per cent of a request's CPU for nothing. A stream is given at
     * least a full frame's worth of window at a time: spread in 1 KiB shares (Netty's default) over a message's many
     * recipients, a peer's small window went out as frames of about 3 KiB, each a write, a promise and a header.
     */
    public static <H extends Http2ConnectionHandler & StreamFrames> H build(
            boolean server, Http2Settings settings, Factory<H> factory) {
        Http2Connection connection = new DefaultHttp2Connection(server);
        UniformStreamByteDistributor distributor = new UniformStreamByteDistributor(connection);
        distributor.minAllocationChunk(Http2CodecUtil.DEFAULT_MAX_FRAME_SIZE);
        connection.remote().flowController(new DefaultHttp2RemoteFlowController(connection, distributor));
        return new Builder<>(factory)
                .connection(connection)
                .initialSettings(settings)
                .build();
    }

    private static final class Builder<H extends Http2ConnectionHandler & StreamFrames>
            extends AbstractHttp2ConnectionHandlerBuilder<H, Builder<H>> {
        private final Factory<H> factory;

        Builder(Factory<H> factory) {
            this.factory = factory;
        }

        @Override
        public Builder<H> connection(Http2Connection connection) {
            return super.connection(connection);
        }

        @Override
        public Builder<H> initialSettings(Http2Settings settings) {
            return super.initialSettings(settings);
        }

        @Override
        public H build() {
            return super.build();
        }

        @Override
        protected H build(Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder, Http2Settings settings) {
            H handler = factory.create(decoder, encoder, settings);
            frameListener(new Http2FrameAdapter() {
                @Override
                public void onHeadersRead(
                        ChannelHandlerContext ctx,
                        int streamId,
                        Http2Headers headers,
                        int padding,
                        boolean endOfStream) {
                    handler.headers(ctx, streamId, headers, endOfStream);
                }

                @Override
                public void onHeadersRead(
                        ChannelHandlerContext ctx,
                        int streamId,
                        Http2Headers headers,
                        int streamDependency,
                        short weight,
                        boolean exclusive,
                        int padding,
                        boolean endOfStream) {
                    handler.headers(ctx, streamId, headers, endOfStream);
                }

                @Override
                public void onRstStreamRead(ChannelHandlerContext ctx, int streamId, long errorCode) {
                    handler.reset(ctx, streamId, errorCode);
                }

                @Override
                public int onDataRead(
                        ChannelHandlerContext ctx, int streamId, ByteBuf data, int padding, boolean endOfStream) {
                    int consumed = data.readableBytes() + padding;
                    handler.data(ctx, streamId, data, endOfStream);
                    return consumed;
                }
            });
            return handler;
        }
    }
}
