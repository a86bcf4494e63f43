package io.cakemail.gateway.smtp.session;

import io.cakemail.gateway.common.SessionLog;
import io.cakemail.gateway.smtp.ClientAddress;
import io.cakemail.gateway.smtp.SmtpMetricsRecorder;
import io.cakemail.gateway.smtp.SmtpServerConfig;
import io.cakemail.gateway.smtp.codec.SmtpRequestDecoder;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * A session's flow, apart from what its commands mean: when decoding pauses and resumes, and when a connection that
 * cannot be written to is closed. Decoding pauses while an answer from the authenticator or a sink is pending
 * ({@link #await}), and while the client leaves its replies unread above the channel's high-water mark; it resumes
 * once no reason is left. Replies left unread for the write timeout close the connection, and so does a closing
 * session's last reply that cannot leave within it. Used on the channel's event loop only.
 */
final class SessionFlow {

    /** Events a hostile client can repeat at will: the gateway's logging configuration rate-limits this logger. */
    private static final SessionLog limits = SessionLog.of("io.cakemail.gateway.limits");
    /** A reason for pausing decoding: an answer from the authenticator or a sink is pending. */
    private static final int AWAITING_ANSWER = 1;
    /** A reason for pausing decoding: the client leaves its replies unread. */
    private static final int REPLIES_UNREAD = 2;

    /** What the session does when an answer comes, and when handling it fails. */
    interface Session {
        /** After an answer was handled: the session may be due to close. */
        void answered();

        /** Handling an answer threw. */
        void failed(RuntimeException error);
    }

    private final ChannelHandlerContext ctx;
    private final SmtpServerConfig config;
    private final SmtpMetricsRecorder metrics;
    private final SmtpRequestDecoder decoder;
    private final ReplyBuffer replies;
    private final Session session;
    /** Why decoding is paused: {@link #AWAITING_ANSWER} and {@link #REPLIES_UNREAD} bits; 0 when it is not. */
    private int pauses;
    /** Closes the connection if replies stay unread, or a closing session's last reply cannot leave, this long. */
    private ScheduledFuture<?> writeDeadline;

    private boolean closing;

    SessionFlow(
            ChannelHandlerContext ctx,
            SmtpServerConfig config,
            SmtpMetricsRecorder metrics,
            SmtpRequestDecoder decoder,
            ReplyBuffer replies,
            Session session) {
        this.ctx = ctx;
        this.config = config;
        this.metrics = metrics;
        this.decoder = decoder;
        this.replies = replies;
        this.session = session;
    }

    /**
     * Waits for {@code stage} with decoding paused, then runs {@code then} on the event loop. A stage that is already
     * complete is handled at once, without pausing; one completed on the session's own event loop (the API connection
     * of that loop answered) resumes the session there and then, without a task.
     */
    <T> void await(CompletionStage<T> stage, BiConsumer<T, Throwable> then) {
        Suspension suspension = new Suspension();
        stage.whenComplete((value, error) -> {
            if (!ctx.executor().inEventLoop()) {
                ctx.executor().execute(() -> resume(then, value, error));
            } else if (suspension.suspended) {
                resume(then, value, error);
            } else {
                suspension.completedInline = true;
                then.accept(value, error);
            }
        });
        if (!suspension.completedInline) {
            suspension.suspended = true;
            pause(AWAITING_ANSWER);
        }
    }

    /**
     * Goes on with the answer. The client may have left meanwhile: the answer is still taken ({@code then} runs, so a
     * message the API took has its log line and its count), and its replies go nowhere.
     */
    private <T> void resume(BiConsumer<T, Throwable> then, T value, Throwable error) {
        pauses &= ~AWAITING_ANSWER;
        if (!ctx.channel().isActive()) {
            then.accept(value, error);
            return;
        }
        try {
            then.accept(value, error);
            session.answered();
            resumeDecoding();
        } catch (RuntimeException e) {
            session.failed(e);
        }
        replies.flush();
    }

    boolean isAwaiting() {
        return (pauses & AWAITING_ANSWER) != 0;
    }

    /**
     * Pauses decoding while the channel is not writable, and resumes it (in a task of its own, as the decoder asks)
     * once the client has read its replies down to the low-water mark.
     */
    void writabilityChanged() {
        if (!ctx.channel().isWritable()) {
            pause(REPLIES_UNREAD);
            armWriteDeadline();
        } else if ((pauses & REPLIES_UNREAD) != 0) {
            if (!closing) {
                cancelWriteDeadline();
            }
            ctx.executor().execute(() -> {
                if (ctx.channel().isWritable() && (pauses & REPLIES_UNREAD) != 0) {
                    pauses &= ~REPLIES_UNREAD;
                    resumeDecoding();
                    replies.flush();
                }
            });
        }
    }

    /** The session closes: nothing more is decoded, and its last reply has the write timeout to leave. */
    void closing() {
        closing = true;
        decoder.pause();
        armWriteDeadline();
    }

    boolean isClosing() {
        return closing;
    }

    /** The connection is gone. */
    void closed() {
        cancelWriteDeadline();
    }

    private void pause(int reason) {
        pauses |= reason;
        decoder.pause();
    }

    /** Decodes again once no reason to pause is left. */
    private void resumeDecoding() {
        if (pauses == 0 && !closing) {
            decoder.resume();
        }
    }

    private void armWriteDeadline() {
        if (writeDeadline == null) {
            writeDeadline = ctx.executor()
                    .schedule(this::writeTimedOut, config.writeTimeout().toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void cancelWriteDeadline() {
        if (writeDeadline != null) {
            writeDeadline.cancel(false);
            writeDeadline = null;
        }
    }

    private void writeTimedOut() {
        writeDeadline = null;
        if (ctx.channel().isActive()) {
            limits.info(
                    ctx.channel().id().asShortText(),
                    "Closing the connection from {}: its replies stayed unread for {}",
                    ClientAddress.of(ctx.channel()),
                    config.writeTimeout());
            metrics.writeTimedOut();
            ctx.close();
        }
    }

    /** Whether the answer to an {@link #await} came before it returned. */
    private static final class Suspension {
        boolean suspended;
        boolean completedInline;
    }
}
