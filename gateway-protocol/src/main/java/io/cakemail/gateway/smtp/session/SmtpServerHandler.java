package io.cakemail.gateway.smtp.session;

import static java.util.Objects.requireNonNull;

import io.cakemail.gateway.common.SessionLog;
import io.cakemail.gateway.smtp.ClientAddress;
import io.cakemail.gateway.smtp.SmtpReplies;
import io.cakemail.gateway.smtp.SmtpReply;
import io.cakemail.gateway.smtp.SmtpServerConfig;
import io.cakemail.gateway.smtp.SmtpServices;
import io.cakemail.gateway.smtp.TlsHandlerFactory;
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
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import javax.net.ssl.SSLException;
import org.apache.logging.log4j.Level;

/**
 * The SMTP session: the state machine from greeting to QUIT over the messages of {@link SmtpRequestDecoder}.
 *
 * <p>Replies are gathered into one buffer as commands are processed, then written and flushed once per read
 * burst, so the replies to a pipelined group leave together (RFC 2920), in one TLS record. When decoding pauses and
 * resumes (an answer pending, replies left unread) and when an unwritable connection is closed is the
 * {@link SessionFlow}'s: no close waits on the client for ever.
 *
 * <p>State is kept by lifetime: {@link ClientState} for the connection, {@link MailTransaction} from MAIL to the end
 * of the content, {@link AuthCommand} for AUTH and its SASL exchange, {@link ReplyBuffer} for the replies of a burst.
 * Each of them contributes its own EHLO keywords. What stays here is the dispatch of each command, STARTTLS, and when
 * the session closes.
 *
 * <p>Write the reply to every command in the order received, never 250 for a message the sink did not accept.
 */
public final class SmtpServerHandler extends ChannelInboundHandlerAdapter {

    /** The longest client name the greeting echoes: a domain's 255 octets. */
    private static final int MAX_ECHOED_NAME = 255;

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
    /** One INFO line per connection, when it closes. */
    private static final SessionLog connections = SessionLog.of("io.cakemail.gateway.connections");

    private static final SmtpReply INTERNAL_ERROR =
            SmtpReply.of(421, "4.3.0", "Internal server error, closing connection");

    private final SmtpServerConfig config;
    private final SmtpServices services;
    private final SmtpRequestDecoder decoder;
    private final StartTlsCommand tls;
    private final ClientState client = new ClientState();

    private ChannelHandlerContext ctx;
    private ReplyBuffer replies;
    private AuthCommand auth;
    private MailCommands mail;
    private SessionFlow flow;
    private ScheduledFuture<?> sessionDeadline;
    private boolean shutdownRequested;
    /** The session's time limit has passed: it closes as soon as no answer is pending. */
    private boolean sessionExpired;
    /** The command being answered, for the replies metric; {@code null} between commands. */
    private SmtpCommand command;

    /**
     * @param startTls makes the handler for STARTTLS, or {@code null} when STARTTLS is not offered
     */
    public SmtpServerHandler(
            SmtpServerConfig config, SmtpServices services, SmtpRequestDecoder decoder, TlsHandlerFactory startTls) {
        this.config = requireNonNull(config, "config");
        this.services = requireNonNull(services, "services");
        this.decoder = requireNonNull(decoder, "decoder");
        this.tls = new StartTlsCommand(this, startTls, client, decoder);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.replies = new ReplyBuffer(ctx);
        this.flow = new SessionFlow(ctx, config, services.metrics(), decoder, replies, new SessionFlow.Session() {
            @Override
            public void answered() {
                closeIfDue();
            }

            @Override
            public void failed(RuntimeException error) {
                exceptionCaught(ctx, error);
            }
        });
        this.auth = new AuthCommand(this, config, services, client, decoder);
        this.mail = new MailCommands(this, config, services, client, decoder);
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
        services.metrics().replied(null, greeting.code());
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
        flow.closed();
        mail.reset();
        auth.reset();
        replies.release();
        ctx.fireChannelInactive();
    }

    /** The session's duration and its one line, when it closes. */
    private void connectionClosed() {
        long nanos = System.nanoTime() - client.connectedAt;
        services.metrics().connectionClosed(nanos);
        if (connections.isEnabled(Level.INFO)) {
            connections.log(Level.INFO, client.closedLine(id(), clientAddress(), nanos));
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (flow.isClosing()) {
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
            tls.handshakeEnded(ctx, handshake);
        } else if (evt instanceof IdleStateEvent && !flow.isAwaiting()) {
            closeUnprompted(SmtpReplies.IDLE_TIMEOUT);
        } else if (evt == SHUTDOWN) {
            shutdownRequested = true;
            closeIfDue();
            replies.flush();
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        flow.writabilityChanged();
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
            case STARTTLS -> {
                tls.start(ctx, argument, replies::write);
                mail.reset();
                queue(SmtpReplies.READY_FOR_TLS);
                replies.flush();
            }
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
        String greeting = config.hostname() + " Hello" + echoed(domain);
        if (!ehlo) {
            reply(SmtpReply.withoutStatus(250, greeting));
            return;
        }
        List<String> lines = new ArrayList<>(9);
        lines.add(greeting);
        lines.add("PIPELINING"); // the session's own: replies to a burst leave together, with enhanced codes
        lines.add("ENHANCEDSTATUSCODES");
        mail.ehloKeywords(lines);
        if (tls.offered()) {
            lines.add("STARTTLS");
        }
        auth.ehloKeywords(lines);
        reply(SmtpReply.multiline(250, null, lines));
    }

    /**
     * The client's name as the greeting echoes it: only printable ASCII, and no longer than a domain may be, so that a
     * reply line stays one line of ASCII within its 512 octets whatever the client claimed to be.
     */
    private static String echoed(String domain) {
        if (domain.length() > MAX_ECHOED_NAME) {
            return "";
        }
        for (int i = 0; i < domain.length(); i++) {
            char c = domain.charAt(i);
            if (c <= ' ' || c > '~') {
                return "";
            }
        }
        return " " + domain;
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

    /** Waits for {@code stage} with decoding paused, then runs {@code then} on the event loop ({@link SessionFlow}). */
    <T> void await(CompletionStage<T> stage, BiConsumer<T, Throwable> then) {
        flow.await(stage, then);
    }

    void closeWith(SmtpReply reply) {
        if (flow.isClosing()) {
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
        if (flow.isAwaiting()) {
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
        services.metrics().replied(command, reply.code());
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
        flow.closing();
        replies.write();
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
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
        return ClientAddress.text(ctx.channel());
    }
}
