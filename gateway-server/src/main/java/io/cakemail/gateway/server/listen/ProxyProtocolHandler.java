package io.cakemail.gateway.server.listen;

import io.cakemail.gateway.common.SessionLog;
import io.cakemail.gateway.server.config.ServerSettings;
import io.cakemail.gateway.server.config.Subnets;
import io.cakemail.gateway.smtp.ClientAddress;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import io.netty.util.NetUtil;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The PROXY protocol (v1 and v2) in front of an SMTP listener, behind a load balancer that sends it. The connection
 * must come from a trusted block and start with a header within the timeout; until then no SMTP handler is in the
 * pipeline and nothing is said (SMTP speaks first, so the greeting waits for the header). The header's source
 * becomes the {@link ClientAddress} that limits, logs and the envelope use; a v2 {@code LOCAL} header (a
 * balancer's health check) and a client on a local socket ({@code AF_UNIX}) leave the socket's own. Then the session is installed and started, and whatever followed
 * the header (a TLS client hello) goes to it. A connection from elsewhere, without a header, with a malformed one,
 * or too slow to send it is closed, logged (rate-limited) and counted in {@code smtp.proxy.rejected} tagged
 * {@code reason} (untrusted, invalid, timeout).
 */
final class ProxyProtocolHandler extends ChannelInboundHandlerAdapter {

    private static final SessionLog limits = SessionLog.of("io.cakemail.gateway.limits");

    /** The rejections, counted; shared by the connections of a listener. */
    static final class Rejections {
        final Counter untrusted;
        final Counter invalid;
        final Counter timeout;

        Rejections(MeterRegistry registry) {
            untrusted = counter(registry, "untrusted");
            invalid = counter(registry, "invalid");
            timeout = counter(registry, "timeout");
        }

        private static Counter counter(MeterRegistry registry, String reason) {
            return Counter.builder("smtp.proxy.rejected")
                    .tag("reason", reason)
                    .description("Connections closed for want of a valid PROXY protocol header from a trusted peer")
                    .register(registry);
        }

        /** Counts the refusal in {@code reason}, logs it (rate-limited) with {@code why}, and closes the connection. */
        void refuse(ChannelHandlerContext ctx, Counter reason, String why) {
            reason.increment();
            limits.info(
                    ctx.channel().id().asShortText(),
                    "Closing the connection from {}: {}",
                    ctx.channel().remoteAddress(),
                    why);
            ctx.close();
        }
    }

    private final Subnets trusted;
    private final Duration timeout;
    private final Rejections rejections;
    private final Consumer<Channel> session;
    private ScheduledFuture<?> deadline;
    private boolean rejected;

    /** @param session installs the SMTP session's handlers at the end of the pipeline, once the header is read */
    ProxyProtocolHandler(Subnets trusted, Duration timeout, Rejections rejections, Consumer<Channel> session) {
        this.trusted = trusted;
        this.timeout = timeout;
        this.rejections = rejections;
        this.session = session;
    }

    /** Puts the header's decoder and this handler first in {@code channel}'s pipeline. */
    void install(Channel channel) {
        channel.pipeline().addLast("proxy-decoder", new HAProxyMessageDecoder()).addLast("proxy", this);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (!trusted.contains(ctx.channel().remoteAddress())) {
            reject(ctx, rejections.untrusted, "it does not come from " + ServerSettings.PROXY_TRUSTED_CIDRS.name());
            return;
        }
        deadline = ctx.executor()
                .schedule(
                        () -> reject(ctx, rejections.timeout, "no PROXY protocol header within " + timeout),
                        timeout.toMillis(),
                        TimeUnit.MILLISECONDS);
        // not passed on: the session starts once the header is read
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof HAProxyMessage header) || rejected) {
            // the decoder passes nothing else before the header, and goes on after a malformed one: a header that
            // follows it in the same read is dropped with it, as the connection is closed
            ReferenceCountUtil.release(msg);
            return;
        }
        try {
            deadline.cancel(false);
            if (header.command() == HAProxyCommand.PROXY && isInternet(header.proxiedProtocol())) {
                InetAddress source = NetUtil.createInetAddressFromIpAddressString(header.sourceAddress());
                ctx.channel().attr(ClientAddress.PROXIED).set(new InetSocketAddress(source, header.sourcePort()));
            }
        } finally {
            header.release();
        }
        Channel channel = ctx.channel();
        ctx.pipeline().remove(this);
        session.accept(channel);
        channel.pipeline().fireChannelActive();
    }

    /**
     * Whether the header names an internet client (TCP or UDP over IPv4 or IPv6). A client on a local socket
     * ({@code AF_UNIX}, a path) or of an unknown family has no address to limit or log: the connection's own stands.
     */
    private static boolean isInternet(HAProxyProxiedProtocol protocol) {
        HAProxyProxiedProtocol.AddressFamily family = protocol.addressFamily();
        return family == HAProxyProxiedProtocol.AddressFamily.AF_IPv4
                || family == HAProxyProxiedProtocol.AddressFamily.AF_IPv6;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        reject(ctx, rejections.invalid, "no valid PROXY protocol header (" + cause.getMessage() + ")");
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (deadline != null) {
            deadline.cancel(false);
        }
        ctx.fireChannelInactive();
    }

    /** Counts, logs and closes, once: the decoder closes the channel itself before it reports a bad header. */
    private void reject(ChannelHandlerContext ctx, Counter counter, String why) {
        if (rejected) {
            return;
        }
        rejected = true;
        rejections.refuse(ctx, counter, why);
    }
}
