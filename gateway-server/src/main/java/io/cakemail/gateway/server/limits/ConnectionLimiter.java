package io.cakemail.gateway.server.limits;

import io.cakemail.gateway.common.SessionLog;
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
 * Admits a connection to its SMTP session: caps concurrent connections across the listeners it is installed on, and
 * per client ({@link ClientLimits}: an address's connections, a blocked address). A connection over a cap gets its
 * {@code 421} and is closed before any SMTP handler sees it; whatever it sends meanwhile is dropped. Installed after
 * the TLS handler on the implicit TLS listener, so the reply leaves encrypted once the handshake is done, and after
 * the PROXY protocol header, so the client is the one the header names.
 *
 * <p>It is also the session's read gate: nothing the client sends reaches the session before the session has greeted
 * it, which, with a fleet, waits for Redis to say whether another gateway blocked the address. SMTP clients wait for
 * the greeting (RFC 5321 3.1); one that talks first is a spam engine's shortcut, so, as Postfix's postscreen does
 * with such a "pregreet" client, it is answered {@code 521 5.5.1} and closed.
 */
@Sharable
public final class ConnectionLimiter extends ChannelInboundHandlerAdapter {

    private static final AttributeKey<Boolean> REFUSED = AttributeKey.valueOf(ConnectionLimiter.class, "refused");
    /** Set on a connection that counts towards its client's connections. */
    private static final AttributeKey<Boolean> COUNTED = AttributeKey.valueOf(ConnectionLimiter.class, "counted");
    /** Set once the session has greeted the client: what it sends from then on goes to the session. */
    private static final AttributeKey<Boolean> GREETED = AttributeKey.valueOf(ConnectionLimiter.class, "greeted");

    /** Refusals a flood repeats at will: the logging configuration rate-limits this logger. */
    private static final SessionLog limits = SessionLog.of("io.cakemail.gateway.limits");

    private final int maxConnections;
    private final ClientLimits clients;
    private final AtomicInteger connections = new AtomicInteger();

    public ConnectionLimiter(int maxConnections, ClientLimits clients) {
        this.maxConnections = maxConnections;
        this.clients = clients;
    }

    /** The connections open now. */
    public int connections() {
        return connections.get();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (connections.incrementAndGet() > maxConnections) {
            clients.podFull();
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
            greet(ctx);
            return;
        }
        // the session starts (and greets) once the fleet has said whether another gateway blocked this client
        clients.blockedInFleet(client)
                .subscribe(blocked -> ctx.executor().execute(() -> {
                    if (!ctx.channel().isActive() || ctx.channel().hasAttr(REFUSED)) {
                        return;
                    }
                    if (blocked) {
                        refuse(ctx, ClientLimits.BLOCKED_AT_CONNECT);
                    } else {
                        greet(ctx);
                    }
                }));
    }

    /** Starts the session, which greets the client before this returns; the gate then lets the client's octets in. */
    private static void greet(ChannelHandlerContext ctx) {
        ctx.fireChannelActive();
        ctx.channel().attr(GREETED).set(Boolean.TRUE);
    }

    /** Closes with {@code reply}, logged (rate-limited: a flood repeats it) and counted by whoever decided it. */
    private static void refuse(ChannelHandlerContext ctx, SmtpReply reply) {
        limits.info(
                ctx.channel().id().asShortText(),
                "Refusing the connection from {}: {}",
                ClientAddress.of(ctx.channel()),
                reply);
        ctx.channel().attr(REFUSED).set(Boolean.TRUE);
        ctx.writeAndFlush(reply.toByteBuf()).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (ctx.channel().hasAttr(REFUSED)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (!ctx.channel().hasAttr(GREETED)) {
            ReferenceCountUtil.release(msg);
            clients.talkedBeforeGreeting();
            refuse(ctx, ClientLimits.PREGREET);
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
