package io.cakemail.gateway.core.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One HTTP/1.1 connection to the API, for an API that does not speak HTTP/2 (a TLS server without h2 in ALPN, or a
 * plain {@code http://} URL without h2c): one exchange at a time, no pipelining, kept alive between them. Responses
 * are taken whole, up to the same {@link ApiExchange#MAX_RESPONSE_BODY} as over HTTP/2. An exchange that times out
 * closes the connection, the only way to abandon an HTTP/1.1 request. Runs on the connection's event loop only.
 */
final class Http11ApiConnection extends ChannelInboundHandlerAdapter implements ApiConnection {

    private final Runnable onFreed;
    private ChannelHandlerContext ctx;
    /** The exchange in flight, or {@code null}. */
    private ApiExchange current;
    /** False once the API said it closes the connection, or an exchange was abandoned on it. */
    private boolean reusable = true;

    private Http11ApiConnection(Runnable onFreed) {
        this.onFreed = onFreed;
    }

    /** Adds the HTTP/1.1 codec and a connection to {@code pipeline}; {@code onFreed} hears of each exchange's end. */
    static Http11ApiConnection install(ChannelPipeline pipeline, Duration idle, Runnable onFreed) {
        Http11ApiConnection connection = new Http11ApiConnection(onFreed);
        pipeline.addLast(
                new HttpClientCodec(),
                new HttpObjectAggregator(ApiExchange.MAX_RESPONSE_BODY),
                new IdleStateHandler(0, 0, idle.toMillis(), TimeUnit.MILLISECONDS),
                connection);
        return connection;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public boolean canStart() {
        return reusable && current == null && ctx != null && ctx.channel().isActive();
    }

    @Override
    public int capacity() {
        return 1;
    }

    @Override
    public void start(ApiExchange exchange) {
        if (exchange.isEnded()) {
            onFreed.run();
            return;
        }
        if (!canStart()) {
            exchange.fail(new IOException("the HTTP/1.1 connection to the API is busy or closed"));
            onFreed.run();
            return;
        }
        current = exchange;
        exchange.onStream(() -> ctx.executor().execute(() -> timedOut(exchange)));
        ctx.writeAndFlush(request(exchange)).addListener(written -> {
            if (written.isSuccess()) {
                exchange.written();
            } else {
                end(exchange, new IOException("the request could not be sent to the API", written.cause()));
            }
        });
    }

    /** The exchange's request in HTTP/1.1 form: its HTTP/2 pseudo-headers become the request line and Host. */
    private static FullHttpRequest request(ApiExchange exchange) {
        Http2Headers headers = exchange.requestHeaders;
        ByteBuf body = exchange.body == null ? Unpooled.EMPTY_BUFFER : exchange.body.get();
        FullHttpRequest request = new DefaultFullHttpRequest(
                HttpVersion.HTTP_1_1,
                HttpMethod.valueOf(headers.method().toString()),
                headers.path().toString(),
                body);
        request.headers().set(HttpHeaderNames.HOST, headers.authority());
        for (Map.Entry<CharSequence, CharSequence> header : headers) {
            if (header.getKey().length() > 0 && header.getKey().charAt(0) != ':') {
                request.headers().add(header.getKey(), header.getValue());
            }
        }
        if (exchange.body != null) {
            HttpUtil.setContentLength(request, body.readableBytes());
        }
        return request;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof FullHttpResponse response && response.status().code() >= 200) {
                ApiExchange exchange = current;
                current = null;
                reusable &= HttpUtil.isKeepAlive(response);
                if (!reusable) {
                    ctx.close();
                }
                if (exchange != null) {
                    exchange.succeed(response.status().code(), response.headers(), response.content());
                    onFreed.run();
                }
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof IdleStateEvent && current == null) {
            ctx.close(); // quiet for the idle time without an exchange
        } else {
            ctx.fireUserEventTriggered(event);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
        end(
                current,
                cause instanceof TooLongFrameException
                        ? new IOException("the API's response is larger than this client takes")
                        : cause);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        end(current, new IOException("the API closed the connection before answering"));
        ctx.fireChannelInactive();
    }

    /** The exchange gave up waiting: the connection goes, as nothing else abandons an HTTP/1.1 request. */
    private void timedOut(ApiExchange exchange) {
        if (current == exchange) {
            current = null;
            reusable = false;
            ctx.close();
            onFreed.run();
        }
    }

    private void end(ApiExchange exchange, Throwable cause) {
        if (exchange != null && exchange == current) {
            current = null;
            reusable = false;
            exchange.fail(cause);
            onFreed.run();
        }
    }
}
