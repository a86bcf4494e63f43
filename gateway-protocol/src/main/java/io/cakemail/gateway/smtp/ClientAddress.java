package io.cakemail.gateway.smtp;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * Where a connection really comes from: the address a PROXY protocol header gave, when a load balancer in front
 * sent one, else the socket's peer. Limits, logs and the envelope use it.
 */
public final class ClientAddress {

    /** Set on a channel by whatever read a PROXY protocol header for it, before the SMTP session starts. */
    public static final AttributeKey<SocketAddress> PROXIED = AttributeKey.valueOf(ClientAddress.class, "proxied");

    private ClientAddress() {}

    /** The client's address on {@code channel}. */
    public static SocketAddress of(Channel channel) {
        SocketAddress proxied = channel.attr(PROXIED).get();
        return proxied != null ? proxied : channel.remoteAddress();
    }

    /** The client's IP address on {@code channel}, as log lines show it. */
    public static String text(Channel channel) {
        SocketAddress address = of(channel);
        return address instanceof InetSocketAddress inet && inet.getAddress() != null
                ? inet.getAddress().getHostAddress()
                : String.valueOf(address);
    }
}
