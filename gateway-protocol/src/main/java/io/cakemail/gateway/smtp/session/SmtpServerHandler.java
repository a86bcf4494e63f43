package io.cakemail.gateway.smtp.session;

import static java.util.Objects.requireNonNull;

import io.cakemail.gateway.common.SessionLog;
import io.cakemail.gateway.common.SessionMessage;
import io.cakemail.gateway.smtp.ClientAddress;
import io.cakemail.gateway.smtp.MessageReceiver;
import io.cakemail.gateway.smtp.MessageSink;
import io.cakemail.gateway.smtp.SmtpAuthenticator;
import io.cakemail.gateway.smtp.SmtpReplies;
import io.cakemail.gateway.smtp.SmtpReply;
import io.cakemail.gateway.smtp.SmtpServerConfig;
import io.cakemail.gateway.smtp.TlsHandlerFactory;
import io.cakemail.gateway.smtp.TlsInfo;
import io.cakemail.gateway.smtp.codec.BdatRequest;
import io.cakemail.gateway.smtp.codec.SaslResponse;
import io.cakemail.gateway.smtp.codec.SmtpCommand;
import io.cakemail.gateway.smtp.codec.SmtpContent;
import io.cakemail.gateway.smtp.codec.SmtpRequest;
import io.cakemail.gateway.smtp.codec.SmtpRequestDecoder;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSession;
import org.apache.logging.log4j.Level;

/**
 * The SMTP session: the state machine from greeting to QUIT over the messages of {@link SmtpRequestDecoder}.
 *
 * <p>Replies are gathered into one buffer as commands are processed, then written and flushed once per read
 * burst, so the replies to a pipelined group leave together (RFC 2920), in one TLS record. While an answer from
 * the {@link SmtpAuthenticator} or a {@link MessageSink} is pending, decoding is paused (and socket reads, once
 * more octets arrive); the answer resumes the session on the channel's event loop, whatever thread completed it.
 *
 * <p>Backpressure the other way: while the client leaves its replies unread and they pile up above the channel's
 * high-water mark (it is not {@linkplain io.netty.channel.Channel#isWritable writable}), decoding is paused too, so a
 * client that pipelines commands without reading costs no more than the mark. Replies left unread for the
 * {@linkplain SmtpServerConfig#writeTimeout write timeout} close the connection, and so does a closing session's last
 * reply that cannot leave within it: no close waits on the client for ever.
 *
 * <p>State is kept by lifetime: {@link ClientState} for the connection, {@link MailTransaction} from MAIL to the end
 * of the content, {@link AuthCommand} for AUTH and its SASL exchange, {@link ReplyBuffer} for the replies of a burst.
 * Each of them contributes its own EHLO keywords. What stays here is the dispatch of each command, STARTTLS, and the
 * session's flow: pausing while an answer is pending or the replies go unread, and closing. That flow touches every
 * command, which is why it stays one piece a little over 400 lines.
 *
 * <p>Write the reply to every command in the order received, never 250 for a message the sink did not accept.
 */
public final class SmtpServerHandler extends ChannelInboundHandlerAdapter {

    /**
     * Fire this user event to close the session gracefully with {@code 421 4.3.2} at its next command boundary: at
     * once between commands; after the message and its reply while a message's content arrives or its reply is
     * pending.
     */
    public static final Object SHUTDOWN = new Object() {
        @Override
        public String toString() {
            return "SmtpServerHandler.SHUTDOWN";
        }
    };

    private static final SessionLog log = SessionLog.of(SmtpServerHandler.class);
    /** Events a hostile client can repeat at will: the gateway's logging configuration rate-limits this logger. */
    private static final SessionLog limits = SessionLog.of("io.cakemail.gateway.limits");
    /** One INFO line per connection, when it closes. */
    private static final SessionLog connections = SessionLog.of("io.cakemail.gateway.connections");
    /** A reason for pausing decoding: an answer from the authenticator or a sink is pending. */
    private static final int AWAITING_ANSWER = 1;
    /** A reason for pausing decoding: the client leaves its replies unread. */
    private static final int REPLIES_UNREAD = 2;

    private static final SmtpReply INTERNAL_ERROR =
            SmtpReply.of(421, "4.3.0", "Internal server error, closing connection");

    private final SmtpServerConfig config;
    private final SmtpAuthenticator authenticator;
    private final MessageReceiver receiver;
    private final SmtpRequestDecoder decoder;
    private final TlsHandlerFactory startTls;
    private final ClientState client = new ClientState();

    private ChannelHandlerContext ctx;
    private ReplyBuffer replies;
    private AuthCommand auth;
    private MailCommands mail;
    private ScheduledFuture<?> sessionDeadline;
    /** Why decoding is paused: {@link #AWAITING_ANSWER} and {@link #REPLIES_UNREAD} bits; 0 when it is not. */
    private int pauses;
    /** Closes the connection if replies stay unread, or a closing session's last reply cannot leave, this long. */
    private ScheduledFuture<?> writeDeadline;

    private boolean closing;
    private boolean shutdownRequested;
    /** The session's time limit has passed: it closes as soon as no answer is pending. */
    private boolean sessionExpired;
    /** The command being answered, for the replies metric; {@code null} between commands. */
    private SmtpCommand command;

    /**
     * @param startTls makes the handler for STARTTLS, or {@code null} when STARTTLS is not offered
     */
    public SmtpServerHandler(
            SmtpServerConfig config,
            SmtpAuthenticator authenticator,
            MessageReceiver receiver,
            SmtpRequestDecoder decoder,
            TlsHandlerFactory startTls) {
        this.config = requireNonNull(config, "config");
        this.authenticator = requireNonNull(authenticator, "authenticator");
        this.receiver = requireNonNull(receiver, "receiver");
        this.decoder = requireNonNull(decoder, "decoder");
        this.startTls = startTls;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.replies = new ReplyBuffer(ctx);
        this.auth = new AuthCommand(this, config, authenticator, client, decoder);
        this.mail = new MailCommands(this, config, receiver, client, decoder);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        log.debug(id(), "connected from {}", remoteAddress());
        client.connectedAt = System.nanoTime();
        sessionDeadline = ctx.executor()
                .schedule(
                        () -> {
                            sessionExpired = true;
                            closeIfDue();
                            replies.flush();
                        },
                        config.sessionTimeout().toMillis(),
                        TimeUnit.MILLISECONDS);
        // Not through the pooled reply buffer: on implicit TLS the greeting waits in the SslHandler for the
        // handshake, and a pooled buffer the handler drops on a failed handshake is lost to the pool (leak
        // detection caught one in CI); a wrapper of the reply's own bytes is only garbage then.
        SmtpReply greeting = SmtpReply.withoutStatus(220, config.hostname() + " ESMTP Cakemail SMTP gateway ready");
        config.metrics().replied(null, greeting.code());
        ctx.writeAndFlush(Unpooled.wrappedBuffer(greeting.encoded()), ctx.voidPromise());
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (client.connectedAt != 0) { // a connection refused before its session started was never one
            connectionClosed();
        }
        if (sessionDeadline != null) {
            sessionDeadline.cancel(false);
        }
        cancelWriteDeadline();
        mail.reset();
        auth.reset();
        replies.release();
        ctx.fireChannelInactive();
    }

    /** The session's duration and its one line, when it closes. */
    private void connectionClosed() {
        long nanos = System.nanoTime() - client.connectedAt;
        config.metrics().connectionClosed(nanos);
        if (connections.isEnabled(Level.INFO)) {
            connections.log(
                    Level.INFO,
                    new SessionMessage(id(), "connection closed")
                            .field("client.address", clientAddress())
                            .field("user.name", client.login())
                            .field("tls.version", client.tls == null ? "-" : client.tls.protocol())
                            .field("smtp.messages", client.messages)
                            .field("smtp.messages.accepted", client.messagesAccepted)
                            .field("smtp.errors", client.errors)
                            .field("smtp.auth.failures", client.authFailures)
                            .field("event.duration_ms", nanos / 1000 / 1000.0));
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (closing) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof SmtpContent content) {
            mail.content(content);
            closeIfDue();
        } else if (msg instanceof SaslResponse response) {
            auth.onResponse(response);
        } else if (msg instanceof SmtpRequest request) {
            try {
                onRequest(request);
            } catch (SmtpReplyException e) {
                reply(e.reply());
            }
        } else {
            ctx.fireChannelRead(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        replies.flush();
        ctx.fireChannelReadComplete();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof SslHandshakeCompletionEvent handshake) {
            onHandshake(handshake);
        } else if (evt instanceof IdleStateEvent && !isAwaiting()) {
            closeUnprompted(SmtpReplies.IDLE_TIMEOUT);
        } else if (evt == SHUTDOWN) {
            shutdownRequested = true;
            closeIfDue();
            replies.flush();
        }
        ctx.fireUserEventTriggered(evt);
    }

    /**
     * Pauses decoding while the channel is not writable, and resumes it (in a task of its own, as the decoder asks)
     * once the client has read its replies down to the low-water mark.
     */
    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
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
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException
                || cause instanceof DecoderException && cause.getCause() instanceof SSLException) {
            log.debug(id(), "connection error: {}", cause.toString());
            ctx.close();
        } else {
            log.error(id(), "unexpected error, closing the session", cause);
            closeWith(INTERNAL_ERROR);
        }
    }

    private void onRequest(SmtpRequest request) {
        command = request.command();
        if (request.decoderResult().isFailure()) {
            if (request instanceof BdatRequest) {
                reply(SmtpReplies.BDAT_SYNTAX); // the chunk size is unknown: the session cannot stay in sync
                closeAfterFlush();
            } else {
                reply(SmtpReplies.badLine(request.decoderResult().cause().getMessage()));
            }
            return;
        }
        String argument = request.argument();
        switch (request.command()) {
            case EHLO, HELO -> hello(request.command() == SmtpCommand.EHLO, argument.trim());
            case STARTTLS -> startTls(argument);
            case AUTH -> auth.start(argument.trim(), mail.inTransaction());
            case MAIL -> mail.mail(argument);
            case RCPT -> mail.rcpt(argument);
            case DATA -> mail.data(argument);
            case BDAT -> mail.bdat((BdatRequest) request);
            case RSET -> {
                requireNoArgument(argument);
                mail.reset();
                reply(SmtpReplies.RESET);
            }
            case NOOP -> reply(SmtpReplies.OK);
            case VRFY -> reply(SmtpReplies.VRFY);
            case HELP -> reply(SmtpReplies.HELP);
            case QUIT -> closeWith(SmtpReplies.BYE);
            default -> reply(SmtpReplies.COMMAND_UNRECOGNIZED);
        }
    }

    private void hello(boolean ehlo, String domain) {
        if (domain.isEmpty()) {
            throw new SmtpReplyException(SmtpReplies.HELLO_SYNTAX);
        }
        mail.reset();
        client.greeted(domain, ehlo);
        if (!ehlo) {
            reply(SmtpReply.withoutStatus(250, config.hostname() + " Hello " + domain));
            return;
        }
        List<String> lines = new ArrayList<>(9);
        lines.add(config.hostname() + " Hello " + domain);
        lines.add("PIPELINING"); // the session's own: replies to a burst leave together, with enhanced codes
        lines.add("ENHANCEDSTATUSCODES");
        mail.ehloKeywords(lines);
        if (startTls != null && client.tls == null) {
            lines.add("STARTTLS");
        }
        auth.ehloKeywords(lines);
        reply(SmtpReply.multiline(250, null, lines));
    }

    private void startTls(String argument) {
        if (startTls == null) {
            throw new SmtpReplyException(SmtpReplies.NOT_IMPLEMENTED);
        }
        if (client.tls != null) {
            throw new SmtpReplyException(SmtpReplies.TLS_ALREADY_ACTIVE);
        }
        requireNoArgument(argument);
        // RFC 3207 and the SslHandler javadoc: the handler goes in before the reply, which leaves in plaintext;
        // whatever the client pipelined after STARTTLS was sent in the clear and is dropped.
        replies.write(); // the replies to commands before STARTTLS leave in plaintext too, before the handler
        ctx.pipeline().addFirst("tls", startTls.newHandler(ctx.channel(), true));
        decoder.discardBufferedInput();
        client.forgetGreetingAndLogin();
        mail.reset();
        queue(SmtpReplies.READY_FOR_TLS);
        replies.flush();
    }

    private void onHandshake(SslHandshakeCompletionEvent handshake) {
        if (handshake.isSuccess()) {
            SSLSession session = ctx.pipeline().get(SslHandler.class).engine().getSession();
            client.tls = new TlsInfo(session.getProtocol(), session.getCipherSuite());
            log.debug(id(), "TLS established: {} {}", client.tls.protocol(), client.tls.cipherSuite());
        } else {
            log.debug(id(), "TLS handshake failed: {}", handshake.cause().toString());
        }
    }

    static void requireNoArgument(String argument) {
        if (!argument.isBlank()) {
            throw new SmtpReplyException(SmtpReplies.NO_ARGUMENTS);
        }
    }

    /** Queues {@code reply}; a client that has had too many bad commands is closed. */
    void reply(SmtpReply reply) {
        queue(reply);
        if (isBadCommand(reply) && ++client.errors >= config.maxErrors()) {
            closeWith(SmtpReplies.TOO_MANY_ERRORS);
        }
    }

    private static boolean isBadCommand(SmtpReply reply) {
        return switch (reply.code()) {
            case 500, 501, 502, 503, 504, 530, 538, 553, 555 -> true;
            default -> false;
        };
    }

    /**
     * Waits for {@code stage} with decoding paused, then runs {@code then} on the event loop. A stage
     * that is already complete is handled at once, without pausing; one completed on the session's own event loop
     * (the API connection of that loop answered) resumes the session there and then, without a task.
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
            closeIfDue();
            resumeDecoding();
        } catch (RuntimeException e) {
            exceptionCaught(ctx, e);
        }
        replies.flush();
    }

    private boolean isAwaiting() {
        return (pauses & AWAITING_ANSWER) != 0;
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
                    id(),
                    "Closing the connection from {}: its replies stayed unread for {}",
                    remoteAddress(),
                    config.writeTimeout());
            config.metrics().writeTimedOut();
            ctx.close();
        }
    }

    void closeWith(SmtpReply reply) {
        if (closing) {
            return;
        }
        queue(reply);
        closeAfterFlush();
    }

    /**
     * Closes the session once it is due to close and no answer is pending, so no reply the API is producing is lost:
     * after a {@link #SHUTDOWN}, at the first command boundary (no content arriving either: the message goes on);
     * past the session's time limit, as soon as nothing is pending (content arriving is dropped, never answered).
     */
    private void closeIfDue() {
        if (isAwaiting()) {
            return;
        }
        if (shutdownRequested && !mail.receivingContent()) {
            closeUnprompted(SmtpReplies.SHUTTING_DOWN);
        } else if (sessionExpired) {
            closeUnprompted(SmtpReplies.SESSION_TIMEOUT);
        }
    }

    /** Closes with a reply to no command: a timeout, a shutdown. */
    private void closeUnprompted(SmtpReply reply) {
        command = null;
        closeWith(reply);
    }

    private void queue(SmtpReply reply) {
        if (!isOpen()) {
            return; // the client left: nothing to send it
        }
        config.metrics().replied(command, reply.code());
        replies.add(reply);
    }

    /** Whether the client is still connected, to be replied to. */
    boolean isOpen() {
        return ctx.channel().isActive();
    }

    private void closeAfterFlush() {
        if (!isOpen()) {
            return;
        }
        closing = true;
        decoder.pause();
        replies.write();
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        armWriteDeadline();
    }

    String id() {
        return ctx.channel().id().asShortText();
    }

    /** The client's address: a PROXY protocol header's, or the socket's peer ({@link ClientAddress}). */
    SocketAddress remoteAddress() {
        return ClientAddress.of(ctx.channel());
    }

    /** The client's IP address, as log lines show it. */
    String clientAddress() {
        SocketAddress address = remoteAddress();
        return address instanceof InetSocketAddress inet && inet.getAddress() != null
                ? inet.getAddress().getHostAddress()
                : String.valueOf(address);
    }

    /** Whether the answer to an {@link #await} came before it returned. */
    private static final class Suspension {
        boolean suspended;
        boolean completedInline;
    }
}
