package io.cakemail.gateway.server.listen;

import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/** An embedded connection from a load balancer's address, 10.0.0.7, in its trusted block 10.0.0.0/8. */
final class BalancerConnection extends EmbeddedChannel {

    BalancerConnection() {
        super(false, false); // registered once the address below is in place
        try {
            register();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    protected SocketAddress remoteAddress0() {
        return new InetSocketAddress("10.0.0.7", 40000);
    }
}
