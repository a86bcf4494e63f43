package io.cakemail.gateway.core.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.collection.IntObjectMap;
import java.io.IOException;
import java.util.function.Consumer;

/**
 * One HTTP/2 connection to the API, on Netty's frame-level connection handler: each request is a stream whose
 * frames are written straight to the connection, and whose response frames come back to its {@link ApiExchange}
 * (no stream channels, no HTTP/1 objects). A connection that has been quiet is pinged, and closed when the PING
 * goes unanswered too. Runs on the connection's event loop only.
 */
final class Http2ApiConnection extends Http2ConnectionHandler implements ApiConnection, Http2Handlers.StreamFrames {

    private final IntObjectMap<ApiExchange> exchanges = new IntObjectHashMap<>();
    /** {@link #connection()}, which asks through a chain of encoders each time: looked at for every request. */
    private final Http2Connection streams;
    /** Told of every exchange that ends on this connection, so its stream can be reused. */
    private final Runnable onStreamFreed;
    /** The configured limit of streams in flight; the peer's may be lower. */
    private final int maxStreams;

    private ChannelHandlerContext ctx;
    /** A flush is queued on the event loop: requests started before it runs share its write. */
    private boolean flushQueued;
    /** A PING went out since the API last sent anything. */
    private boolean pingSent;

    private Http2ApiConnection(
            Http2ConnectionDecoder decoder,
            Http2ConnectionEncoder encoder,
            Http2Settings settings,
            int maxStreams,
            Runnable onStreamFreed) {
        super(decoder, encoder, settings);
        this.onStreamFreed = onStreamFreed;
        this.maxStreams = maxStreams;
        this.streams = connection();
        streams.addListener(new Http2ConnectionAdapter() {
            /** Streams above the last one the API will process were never processed: Netty closes them next. */
            @Override
            public void onGoAwayReceived(int lastStreamId, long errorCode, ByteBuf debugData) {
                for (int id : exchanges.keySet().toArray(new Integer[0])) {
                    if (id > lastStreamId) {
                        end(id, exchange -> exchange.refused("the API's GOAWAY came before it processed the request"));
                    }
                }
            }

            @Override
            public void onStreamClosed(Http2Stream stream) {
                ApiExchange open = exchanges.remove(stream.id());
                if (open != null) {
                    open.fail(new IOException("the API closed the HTTP/2 stream before answering"));
                    onStreamFreed.run();
                }
            }
        });
    }

    /** A connection carrying up to {@code maxStreams} exchanges at once, telling {@code onStreamFreed} as each ends. */
    static Http2ApiConnection create(int maxStreams, Runnable onStreamFreed) {
        return Http2Handlers.build(
                false,
                Http2Settings.defaultSettings().pushEnabled(false),
                (decoder, encoder, settings) ->
                        new Http2ApiConnection(decoder, encoder, settings, maxStreams, onStreamFreed));
    }

    @Override
    public int capacity() {
        return maxStreams;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
        this.ctx = ctx;
        super.handlerAdded(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        pingSent = false;
        super.channelRead(ctx, msg);
    }

    /**
     * A connection without streams that has been quiet for the idle time is closed. One
     * with streams that has read nothing for a while is sent a PING; still nothing a while later, and it is taken
     * for dead (a peer gone without a FIN, a middlebox that dropped the connection) and closed, its exchanges
     * failed at once rather than at their deadline.
     */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (!(event instanceof IdleStateEvent idle)) {
            super.userEventTriggered(ctx, event);
        } else if (idle.state() == IdleState.ALL_IDLE && exchanges.isEmpty()) {
            ctx.close();
        } else if (idle.state() == IdleState.READER_IDLE && !exchanges.isEmpty()) {
            if (pingSent) {
                closeUnresponsive();
            } else {
                pingSent = true;
                encoder().writePing(ctx, false, System.nanoTime(), ctx.newPromise());
                flush(ctx);
            }
        }
    }

    private void closeUnresponsive() {
        closeFailing(new IOException("the API's HTTP/2 connection answered neither the requests nor a PING"));
    }

    /**
     * A failure of the connection itself (a reset by the peer, a read or write that cannot be made) fails its
     * exchanges with that cause and closes it, as {@link Http11ApiConnection} does; HTTP/2 protocol errors stay
     * Netty's to answer (GOAWAY, RST_STREAM). Without this, the cause went on to the end of the pipeline, which logs
     * it with its stack trace, once for every connection.
     */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
        if (Http2CodecUtil.getEmbeddedHttp2Exception(cause) != null) {
            super.exceptionCaught(ctx, cause);
        } else {
            closeFailing(cause);
        }
    }

    private void closeFailing(Throwable cause) {
        for (int id : exchanges.keySet().toArray(new Integer[0])) {
            end(id, exchange -> exchange.fail(cause));
        }
        ctx.close();
    }

    /** Whether a new stream may open now: the connection is up, not going away, and under the peer's limit. */
    @Override
    public boolean canStart() {
        return ctx != null
                && ctx.channel().isActive()
                && !streams.goAwayReceived()
                && streams.local().canOpenStream();
    }

    /** Opens a stream for {@code exchange} and writes its request. Call on the event loop. */
    @Override
    public void start(ApiExchange exchange) {
        if (exchange.isEnded()) {
            onStreamFreed.run();
            return;
        }
        int id = streams.local().incrementAndGetNextStreamId();
        if (id < 0 || !canStart()) {
            exchange.fail(new IOException("no HTTP/2 stream left on this connection to the API"));
            onStreamFreed.run();
            return;
        }
        exchanges.put(id, exchange);
        exchange.onStream(() -> ctx.executor().execute(() -> timedOut(id)));
        if (exchange.isEnded()) { // timed out while this was setting up: the reset above may have been missed
            exchanges.remove(id);
            onStreamFreed.run();
            return;
        }
        encoder()
                .writeHeaders(ctx, id, exchange.requestHeaders, 0, exchange.body == null, ctx.newPromise())
                .addListener(written -> whenWritten(id, exchange, written.cause(), exchange.body == null));
        if (exchange.body != null) {
            ByteBuf body = exchange.body.get();
            encoder()
                    .writeData(ctx, id, body, 0, true, ctx.newPromise())
                    .addListener(written -> whenWritten(id, exchange, written.cause(), true));
        }
        if (!flushQueued) {
            flushQueued = true;
            ctx.executor().execute(() -> {
                flushQueued = false;
                flush(ctx);
            });
        }
    }

    /** A frame of the request was written ({@code last}: its last), or could not be: the exchange fails. */
    private void whenWritten(int id, ApiExchange exchange, Throwable cause, boolean last) {
        if (cause != null) {
            end(id, open -> open.fail(cause));
        } else if (last) {
            exchange.written();
        }
    }

    /** A stream the API refused was not processed (RFC 9113 8.7): it may be sent again. */
    @Override
    public void reset(ChannelHandlerContext ctx, int id, long errorCode) {
        if (errorCode == Http2Error.REFUSED_STREAM.code()) {
            end(id, exchange -> exchange.refused("the API refused the HTTP/2 stream (REFUSED_STREAM)"));
        }
    }

    /** The exchange on stream {@code id} gave up waiting: the stream is reset and freed. */
    private void timedOut(int id) {
        if (exchanges.remove(id) != null) {
            onStreamFreed.run();
            resetStream(ctx, id, Http2Error.CANCEL.code(), ctx.newPromise());
            flush(ctx);
        }
    }

    private void end(int id, Consumer<ApiExchange> how) {
        ApiExchange exchange = exchanges.remove(id);
        if (exchange != null) {
            how.accept(exchange);
            onStreamFreed.run();
        }
    }

    @Override
    public void headers(ChannelHandlerContext ctx, int id, Http2Headers headers, boolean endOfStream) {
        ApiExchange exchange = exchanges.get(id);
        if (exchange != null) {
            exchange.headers(headers);
            if (endOfStream) {
                end(id, ApiExchange::succeed);
            }
        }
    }

    @Override
    public void data(ChannelHandlerContext ctx, int id, ByteBuf data, boolean endOfStream) {
        ApiExchange exchange = exchanges.get(id);
        if (exchange == null) {
            return;
        }
        if (!exchange.data(data)) {
            end(id, open -> open.fail(new IOException("the API's response is larger than this client takes")));
            resetStream(ctx, id, Http2Error.CANCEL.code(), ctx.newPromise());
        } else if (endOfStream) {
            end(id, ApiExchange::succeed);
        }
    }
}
