package io.cakemail.gateway.smtp.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.cakemail.gateway.smtp.SmtpChannelInitializer;
import io.cakemail.gateway.smtp.SmtpMetricsRecorder;
import io.cakemail.gateway.smtp.SmtpServerConfig;
import io.cakemail.gateway.smtp.SmtpServices;
import io.cakemail.gateway.testing.RecordingReceiver;
import io.cakemail.gateway.testing.TestAuthenticator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Replies the client does not read pause the session, and a client that never reads them is closed. */
class SessionBackpressureTest {

    private static final String OK = "250 2.0.0 OK\r\n";
    private static final int NOOPS = 10_000;

    private final AtomicInteger writeTimeouts = new AtomicInteger();
    private final SmtpServerConfig config =
            SmtpServerConfig.builder().writeTimeout(Duration.ofSeconds(5)).build();
    private final SmtpMetricsRecorder metrics = new SmtpMetricsRecorder() {
        @Override
        public void writeTimedOut() {
            writeTimeouts.incrementAndGet();
        }
    };
    private SessionHarness session;

    @AfterEach
    void close() {
        session.close();
    }

    /**
     * The embedded channel flushes at the end of each read burst and runs the session's resume task at once, so
     * what shows the pause is the most replies ever waiting to leave: without it, all of a burst's replies wait.
     */
    @Test
    void decodingPausesWhileRepliesPileUpAboveTheHighWaterMarkAndResumesAsTheyLeave() {
        start();
        AtomicLong mostPending = new AtomicLong();
        session.channel.pipeline().addFirst(new ChannelOutboundHandlerAdapter() {
            @Override
            public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                ctx.write(msg, promise);
                mostPending.accumulateAndGet(
                        ctx.channel().unsafe().outboundBuffer().totalPendingWriteBytes(), Math::max);
            }
        });
        assertThat(count(session.send("NOOP\r\n".repeat(NOOPS)))).isEqualTo(NOOPS);
        assertThat(mostPending.get())
                .isBetween(
                        (long) SmtpChannelInitializer.HIGH_WATER_MARK,
                        SmtpChannelInitializer.HIGH_WATER_MARK + 8 * 1024L);
        assertThat(session.send("QUIT\r\n")).startsWith("221 ");
    }

    @Test
    void aClientThatLeavesItsRepliesUnreadIsClosedAtTheWriteTimeout() {
        startNotReading();
        assertThat(session.send("NOOP\r\n")).as("decoding is paused").isEmpty();
        session.channel.advanceTimeBy(4, TimeUnit.SECONDS);
        session.channel.runScheduledPendingTasks();
        assertThat(session.isOpen()).isTrue();
        session.channel.advanceTimeBy(1, TimeUnit.SECONDS);
        session.channel.runScheduledPendingTasks();
        assertThat(session.isOpen()).isFalse();
        assertThat(writeTimeouts).hasValue(1);
    }

    @Test
    void aClientThatReadsAgainBeforeTheTimeoutIsAnsweredAndKept() {
        startNotReading();
        assertThat(session.send("NOOP\r\n")).isEmpty();
        session.channel.advanceTimeBy(4, TimeUnit.SECONDS);
        session.channel.unsafe().outboundBuffer().setUserDefinedWritability(1, true);
        assertThat(session.runPendingTasks()).isEqualTo(OK);
        session.channel.advanceTimeBy(10, TimeUnit.SECONDS);
        session.channel.runScheduledPendingTasks();
        assertThat(session.isOpen()).isTrue();
        assertThat(writeTimeouts).hasValue(0);
    }

    /** A session whose client reads nothing: its channel is not writable, as when the client's window is full. */
    private void startNotReading() {
        start();
        session.channel.freezeTime();
        session.channel.unsafe().outboundBuffer().setUserDefinedWritability(1, false);
        session.channel.runPendingTasks();
    }

    private void start() {
        session = new SessionHarness(
                config,
                SmtpServices.of(TestAuthenticator.immediate(), RecordingReceiver.accepting())
                        .withMetrics(metrics));
        assertThat(session.replies()).startsWith("220 ");
    }

    private static int count(String replies) {
        assertThat(replies.replace(OK, "")).isEmpty();
        return replies.length() / OK.length();
    }
}
