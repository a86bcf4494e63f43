package io.cakemail.gateway.server;

import io.cakemail.gateway.smtp.SmtpReplies;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Caps concurrent connections across the listeners it is installed on. A connection over the cap gets
 * {@code 421 4.7.0} and is closed before any SMTP handler sees it; whatever it sends meanwhile is dropped. Installed
 * after the TLS handler on the implicit TLS listener, so the reply leaves encrypted once the handshake is done.
 */
@Sharable
final class ConnectionLimiter extends ChannelInboundHandlerAdapter {

    private static final byte[] TOO_MANY_CONNECTIONS = ("421 4.7.0 "
                    + SmtpReplies.TOO_MANY_CONNECTIONS.lines().get(0) + "\r\n")
            .getBytes(StandardCharsets.US_ASCII);

    private static final AttributeKey<Boolean> REFUSED = AttributeKey.valueOf(ConnectionLimiter.class, "refused");

    private final int maxConnections;
    private final AtomicInteger connections = new AtomicInteger();

    ConnectionLimiter(int maxConnections) {
        this.maxConnections = maxConnections;
    }

    /** The connections open now. */
    int connections() {
        return connections.get();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (connections.incrementAndGet() > maxConnections) {
            ctx.channel().attr(REFUSED).set(Boolean.TRUE);
            ctx.writeAndFlush(Unpooled.wrappedBuffer(TOO_MANY_CONNECTIONS)).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (ctx.channel().hasAttr(REFUSED)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        connections.decrementAndGet();
        ctx.fireChannelInactive();
    }
}
