package io.cakemail.gateway.server.listen;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.cakemail.gateway.server.config.Subnets;
import io.cakemail.gateway.smtp.ClientAddress;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Coverage-guided fuzzing of the PROXY protocol handling in front of the SMTP listeners (v1 and v2, Netty's decoder and
 * the handler that acts on the header) with Jazzer: {@code benchmarks/fuzz.sh} fuzzes it, and {@code mvn verify} runs
 * the inputs kept in {@code ProxyHeaderFuzzTestInputs} (what a balancer sends first). Whatever arrives from a trusted
 * peer, cut anywhere: the connection ends up in exactly one state (closed with one rejection counted; the session
 * started, with exactly the octets that followed the header and a client address that is an internet address or
 * none; or still waiting for the rest of a header, with nothing passed on), and every buffer is released.
 */
class ProxyHeaderFuzzTest {

    private static final Subnets TRUSTED = Subnets.parse("10.0.0.0/8");

    @FuzzTest(maxDuration = "")
    void everyConnectionIsRejectedOnceOrStartedWithWhatFollowedTheHeader(byte[] input) {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ProxyProtocolHandler.Rejections rejections = new ProxyProtocolHandler.Rejections(registry);
        Session session = new Session();
        BalancerConnection channel = new BalancerConnection();
        new ProxyProtocolHandler(
                        TRUSTED,
                        Duration.ofMinutes(1),
                        rejections,
                        started -> started.pipeline().addLast(session))
                .install(channel);
        channel.pipeline().fireChannelActive();

        List<ByteBuf> fed = new ArrayList<>();
        Random random = new Random(Arrays.hashCode(input)); // the same pieces each time an input is run
        int[] cuts =
                random.ints(random.nextInt(6), 0, input.length + 1).sorted().toArray();
        int from = 0;
        for (int i = 0; i <= cuts.length && channel.isOpen(); i++) {
            int to = i < cuts.length ? cuts[i] : input.length;
            fed.add(Unpooled.copiedBuffer(input, from, to - from));
            channel.writeInbound(fed.get(fed.size() - 1));
            from = to;
        }
        boolean closed = !channel.isOpen();
        double rejected = registry.find("smtp.proxy.rejected").counters().stream()
                .mapToDouble(counter -> counter.count())
                .sum();
        channel.finishAndReleaseAll();
        byte[] received = session.release();

        if (closed) {
            assertThat(rejected).as("a closed connection is one rejection").isEqualTo(1);
            assertThat(session.started).as("and no session").isFalse();
        } else {
            assertThat(rejected).isZero();
        }
        if (session.started) {
            assertThat(input).as("what followed the header, whole").endsWith(received);
            SocketAddress client = channel.attr(ClientAddress.PROXIED).get();
            assertThat(client == null || client instanceof InetSocketAddress address && !address.isUnresolved())
                    .as("the client's address: %s", client)
                    .isTrue();
        } else {
            assertThat(received).as("nothing passed on before a header").isEmpty();
        }
        for (ByteBuf buf : fed) {
            assertThat(buf.capacity() == 0 || buf.refCnt() == 0)
                    .as("every buffer released")
                    .isTrue();
        }
    }

    /** The session's place in the pipeline: records that it started and what it was given. */
    private static final class Session extends ChannelInboundHandlerAdapter {
        private final ByteBuf received = Unpooled.buffer();
        private boolean started;

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            started = true;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf buf = (ByteBuf) msg;
            received.writeBytes(buf);
            buf.release();
        }

        /** Releases what was received, and returns it. */
        byte[] release() {
            byte[] bytes = new byte[received.readableBytes()];
            received.readBytes(bytes);
            received.release();
            return bytes;
        }
    }
}
