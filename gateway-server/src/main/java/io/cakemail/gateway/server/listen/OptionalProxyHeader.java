package io.cakemail.gateway.server.listen;

import io.cakemail.gateway.server.config.GatewayConfig;
import io.cakemail.gateway.server.config.ServerSettings;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.util.ReferenceCountUtil;
import java.util.List;

/**
 * An optional PROXY protocol header (v1 or v2) in front of the operator's HTTP port. A load balancer that sends the
 * header to the SMTP targets sends it on its health checks too (an AWS NLB with proxy protocol v2 on the target group
 * does), while Prometheus and the kubelet connect without one; both must be answered. The first octets decide: a
 * header from a peer of {@code GATEWAY_PROXY_TRUSTED_CIDRS} is read and dropped (the HTTP side needs no client
 * address), a header from anyone else or a malformed one closes the connection, logged (rate-limited) and counted in
 * {@code smtp.proxy.rejected} as the SMTP listeners count theirs, and anything else is HTTP from its first octet.
 */
public final class OptionalProxyHeader extends ByteToMessageDecoder {

    private final GatewayConfig.ProxyProtocol proxy;
    private final ProxyProtocolHandler.Rejections rejections;

    private OptionalProxyHeader(GatewayConfig.ProxyProtocol proxy, ProxyProtocolHandler.Rejections rejections) {
        this.proxy = proxy;
        this.rejections = rejections;
    }

    /** What installs the handler first in each new connection's pipeline, or nothing when PROXY is off. */
    public static Installer installer(GatewayConfig.ProxyProtocol proxy, MeterRegistry registry) {
        if (!proxy.enabled()) {
            return channel -> {};
        }
        ProxyProtocolHandler.Rejections rejections = new ProxyProtocolHandler.Rejections(registry);
        return channel -> channel.pipeline().addFirst("optional-proxy", new OptionalProxyHeader(proxy, rejections));
    }

    /** Installs the handler on a new connection. */
    @FunctionalInterface
    public interface Installer {
        void install(Channel channel);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        switch (HAProxyMessageDecoder.detectProtocol(in).state()) {
            case NEEDS_MORE_DATA -> {}
            case INVALID -> ctx.pipeline().remove(this); // plain HTTP: what was read goes on as it came
            case DETECTED -> {
                if (!proxy.trusted().contains(ctx.channel().remoteAddress())) {
                    in.skipBytes(in.readableBytes());
                    rejections.refuse(
                            ctx,
                            rejections.untrusted,
                            "it does not come from " + ServerSettings.PROXY_TRUSTED_CIDRS.name());
                    return;
                }
                ctx.pipeline()
                        .addAfter(ctx.name(), "proxy-decoder", new HAProxyMessageDecoder())
                        .addAfter("proxy-decoder", "proxy-header-dropped", new HeaderDropped());
                ctx.pipeline().remove(this);
            }
        }
    }

    /** Drops the header once decoded, then leaves; a malformed header closes the connection. */
    private final class HeaderDropped extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof HAProxyMessage) {
                ReferenceCountUtil.release(msg);
                ctx.pipeline().remove(this);
                if (!ctx.channel().config().isAutoRead()) {
                    ctx.read(); // the HTTP server reads on demand, and asked for this read to get its request
                }
            } else {
                ctx.fireChannelRead(msg);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            rejections.refuse(ctx, rejections.invalid, "no valid PROXY protocol header (" + cause.getMessage() + ")");
        }
    }
}
