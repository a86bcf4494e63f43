package io.cakemail.gateway.server.listen;

import static org.assertj.core.api.Assertions.assertThat;

import io.cakemail.gateway.server.config.Subnets;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ProxyProtocolHandlerTest {

    /**
     * Found by ProxyHeaderFuzzTest: Netty's decoder goes on after a malformed header, and a valid one in the same read
     * started a session on the connection just closed, holding whatever a session holds for good.
     */
    @Test
    void aHeaderAfterAMalformedOneStartsNoSession() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        AtomicInteger sessions = new AtomicInteger();
        BalancerConnection channel = new BalancerConnection();
        new ProxyProtocolHandler(
                        Subnets.parse("10.0.0.0/8"),
                        Duration.ofMinutes(1),
                        new ProxyProtocolHandler.Rejections(registry),
                        started -> sessions.incrementAndGet())
                .install(channel);
        channel.pipeline().fireChannelActive();

        channel.writeInbound(
                Unpooled.copiedBuffer("OWN\r\0\r\nPROXY UNKNOWN\r\nEHLO client\r\n", StandardCharsets.ISO_8859_1));

        assertThat(channel.isOpen()).isFalse();
        assertThat(sessions).hasValue(0);
        assertThat(registry.get("smtp.proxy.rejected")
                        .tag("reason", "invalid")
                        .counter()
                        .count())
                .isEqualTo(1);
        channel.finishAndReleaseAll();
    }
}
