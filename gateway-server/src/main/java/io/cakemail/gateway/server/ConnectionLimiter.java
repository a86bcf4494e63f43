package io.cakemail.gateway.server;

import io.cakemail.gateway.smtp.ClientAddress;
import io.cakemail.gateway.smtp.SmtpReplies;
import io.cakemail.gateway.smtp.SmtpReply;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import java.net.SocketAddress;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Caps concurrent connections across the listeners it is installed on, and per client ({@link ClientLimits}: an
 * address's connections, a blocked address). A connection over a cap gets its {@code 421} and is closed before any
 * SMTP handler sees it; whatever it sends meanwhile is dropped. Installed after the TLS handler on the implicit TLS
 * listener, so the reply leaves encrypted once the handshake is done, and after the PROXY protocol header, so the
 * client is the one the header names.
 */
@Sharable
final class ConnectionLimiter extends ChannelInboundHandlerAdapter {

    private static final AttributeKey<Boolean> REFUSED = AttributeKey.valueOf(ConnectionLimiter.class, "refused");
    /** Set on a connection that counts towards its client's connections. */
    private static final AttributeKey<Boolean> COUNTED = AttributeKey.valueOf(ConnectionLimiter.class, "counted");

    private final int maxConnections;
    private final ClientLimits clients;
    private final AtomicInteger connections = new AtomicInteger();

    ConnectionLimiter(int maxConnections, ClientLimits clients) {
        this.maxConnections = maxConnections;
        this.clients = clients;
    }

    /** The connections open now. */
    int connections() {
        return connections.get();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (connections.incrementAndGet() > maxConnections) {
            refuse(ctx, SmtpReplies.TOO_MANY_CONNECTIONS);
            return;
        }
        SocketAddress client = ClientAddress.of(ctx.channel());
        SmtpReply refusal = clients.connectionOpening(client);
        if (refusal != null) {
            refuse(ctx, refusal);
            return;
        }
        ctx.channel().attr(COUNTED).set(Boolean.TRUE);
        if (!clients.asksFleet(client)) {
            ctx.fireChannelActive();
            return;
        }
        // the session starts (and greets) once the fleet has said whether another gateway blocked this client
        clients.blockedInFleet(client)
                .subscribe(blocked -> ctx.executor().execute(() -> {
                    if (!ctx.channel().isActive()) {
                        return;
                    }
                    if (blocked) {
                        refuse(ctx, ClientLimits.BLOCKED_AT_CONNECT);
                    } else {
                        ctx.fireChannelActive();
                    }
                }));
    }

    private static void refuse(ChannelHandlerContext ctx, SmtpReply reply) {
        ctx.channel().attr(REFUSED).set(Boolean.TRUE);
        ctx.writeAndFlush(reply.toByteBuf()).addListener(ChannelFutureListener.CLOSE);
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
        if (ctx.channel().hasAttr(COUNTED)) {
            clients.connectionClosed(ClientAddress.of(ctx.channel()));
        }
        ctx.fireChannelInactive();
    }
}
