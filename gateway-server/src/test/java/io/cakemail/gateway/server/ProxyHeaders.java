package io.cakemail.gateway.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageEncoder;

/** PROXY protocol headers as a load balancer writes them, encoded by Netty's own encoder. */
final class ProxyHeaders {

    private ProxyHeaders() {}

    /** {@code header} as the octets of a v2 header. */
    static byte[] v2(HAProxyMessage header) {
        EmbeddedChannel encoder = new EmbeddedChannel(HAProxyMessageEncoder.INSTANCE);
        encoder.writeOutbound(header);
        ByteBuf encoded = encoder.readOutbound();
        try {
            return ByteBufUtil.getBytes(encoded);
        } finally {
            encoded.release();
            encoder.finishAndReleaseAll();
        }
    }
}
