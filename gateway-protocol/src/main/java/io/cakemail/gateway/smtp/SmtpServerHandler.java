package io.cakemail.gateway.smtp;

import static java.util.Objects.requireNonNull;

import io.netty.buffer.ByteBuf;
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
import java.security.Principal;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSession;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

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
 * <p>Write the reply to every command in the order received, never 250 for a message the sink did not accept.
 */
public final class SmtpServerHandler extends ChannelInboundHandlerAdapter {

    /** Fire this user event to close the session gracefully: at once when idle, after the pending reply otherwise. */
    public static final Object SHUTDOWN = new Object() {
        @Override
        public String toString() {
            return "SmtpServerHandler.SHUTDOWN";
        }
    };

    private static final Logger log = LogManager.getLogger(SmtpServerHandler.class);
    /** Events a hostile client can repeat at will: the gateway's logging configuration rate-limits this logger. */
    private static final Logger limits = LogManager.getLogger("io.cakemail.gateway.limits");
    /** Failed logins: one line each, with the client's address, for tools such as fail2ban. */
    private static final Logger authentication = LogManager.getLogger("io.cakemail.gateway.auth");
    /** Room for the replies to a pipelined MAIL, RCPT and DATA group; more grows the buffer. */
    private static final int PENDING_REPLIES_CAPACITY = 256;
    /** Gathered replies beyond this are written at once, so the channel's writability sees them within a burst. */
    private static final int PENDING_REPLIES_LIMIT = 4096;
    /** A reason for pausing decoding: an answer from the authenticator or a sink is pending. */
    private static final int AWAITING_ANSWER = 1;
    /** A reason for pausing decoding: the client leaves its replies unread. */
    private static final int REPLIES_UNREAD = 2;

    private static final SmtpReply RCPT_AFTER_BDAT = SmtpReply.of(503, "5.5.1", "RCPT cannot follow BDAT");
    private static final SmtpReply INTERNAL_ERROR =
            SmtpReply.of(421, "4.3.0", "Internal server error, closing connection");

    private final SmtpServerConfig config;
    private final SmtpAuthenticator authenticator;
    private final MessageReceiver receiver;
    private final SmtpRequestDecoder decoder;
    private final TlsHandlerFactory startTls;

    private ChannelHandlerContext ctx;
    private ScheduledFuture<?> sessionDeadline;
    private String heloName;
    private boolean extended;
    private TlsInfo tls;
    private Principal principal;
    private int errors;
    private int authFailures;
    private SaslExchange sasl;
    private MailTransaction transaction;
    private boolean receiving;
    private MessageSink sink;
    private long messageSize;
    private long chunkSize;
    private long chunkRemaining;
    private boolean chunkReplyDue;
    /** Why decoding is paused: {@link #AWAITING_ANSWER} and {@link #REPLIES_UNREAD} bits; 0 when it is not. */
    private int pauses;
    /** Closes the connection if replies stay unread, or a closing session's last reply cannot leave, this long. */
    private ScheduledFuture<?> writeDeadline;
    private boolean closing;
    private boolean shutdownRequested;
    /** The replies written since the last flush, in one buffer so they leave as one write and one TLS record. */
    private ByteBuf pendingReplies;

    /**
     * @param startTls makes the handler for STARTTLS, or {@code null} when STARTTLS is not offered
     */
    public SmtpServerHandler(SmtpServerConfig config, SmtpAuthenticator authenticator, MessageReceiver receiver,
                             SmtpRequestDecoder decoder, TlsHandlerFactory startTls) {
        this.config = requireNonNull(config, "config");
        this.authenticator = requireNonNull(authenticator, "authenticator");
        this.receiver = requireNonNull(receiver, "receiver");
        this.decoder = requireNonNull(decoder, "decoder");
        this.startTls = startTls;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        log.debug("[{}] connected from {}", id(), ctx.channel().remoteAddress());
        sessionDeadline = ctx.executor().schedule(() -> closeWith(SmtpReplies.SESSION_TIMEOUT),
                config.sessionTimeout().toMillis(), TimeUnit.MILLISECONDS);
        // Not through the pooled reply buffer: on implicit TLS the greeting waits in the SslHandler for the
        // handshake, and a pooled buffer the handler drops on a failed handshake is lost to the pool (leak
        // detection caught one in CI); a wrapper of the reply's own bytes is only garbage then.
        SmtpReply greeting = SmtpReply.withoutStatus(220, config.hostname() + " ESMTP Cakemail SMTP gateway ready");
        ctx.writeAndFlush(Unpooled.wrappedBuffer(greeting.encoded()), ctx.voidPromise());
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        log.debug("[{}] disconnected", id());
        if (sessionDeadline != null) {
            sessionDeadline.cancel(false);
        }
        cancelWriteDeadline();
        resetTransaction();
        sasl = null;
        if (pendingReplies != null) {
            pendingReplies.release();
            pendingReplies = null;
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (closing) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof SmtpContent content) {
            onContent(content);
        } else if (msg instanceof SaslResponse response) {
            onSaslResponse(response);
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
        flushReplies();
        ctx.fireChannelReadComplete();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof SslHandshakeCompletionEvent handshake) {
            onHandshake(handshake);
        } else if (evt instanceof IdleStateEvent && !isAwaiting()) {
            closeWith(SmtpReplies.IDLE_TIMEOUT);
        } else if (evt == SHUTDOWN) {
            shutdownRequested = true;
            if (!isAwaiting()) {
                closeWith(SmtpReplies.SHUTTING_DOWN);
            }
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
                    flushReplies();
                }
            });
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException || cause instanceof DecoderException && cause.getCause() instanceof SSLException) {
            log.debug("[{}] connection error: {}", id(), cause.toString());
            ctx.close();
        } else {
            log.error("[{}] unexpected error, closing the session", id(), cause);
            closeWith(INTERNAL_ERROR);
        }
    }

    private void onRequest(SmtpRequest request) {
        if (request.decoderResult().isFailure()) {
            if (request instanceof BdatRequest) {
                reply(SmtpReplies.BDAT_SYNTAX);  // the chunk size is unknown: the session cannot stay in sync
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
            case AUTH -> auth(argument.trim());
            case MAIL -> mail(argument);
            case RCPT -> rcpt(argument);
            case DATA -> data(argument);
            case BDAT -> bdat((BdatRequest) request);
            case RSET -> {
                requireNoArgument(argument);
                resetTransaction();
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
        resetTransaction();
        heloName = domain;
        extended = ehlo;
        if (!ehlo) {
            reply(SmtpReply.withoutStatus(250, config.hostname() + " Hello " + domain));
            return;
        }
        List<String> lines = new ArrayList<>(9);
        lines.add(config.hostname() + " Hello " + domain);
        lines.add("PIPELINING");
        lines.add("SIZE " + config.maxMessageSize());
        lines.add("8BITMIME");
        lines.add("SMTPUTF8");
        lines.add("ENHANCEDSTATUSCODES");
        lines.add("CHUNKING");
        if (startTls != null && tls == null) {
            lines.add("STARTTLS");
        }
        if (authAllowed()) {
            lines.add("AUTH " + SaslExchange.MECHANISMS);
        }
        reply(SmtpReply.multiline(250, null, lines));
    }

    private void startTls(String argument) {
        if (startTls == null) {
            throw new SmtpReplyException(SmtpReplies.NOT_IMPLEMENTED);
        }
        if (tls != null) {
            throw new SmtpReplyException(SmtpReplies.TLS_ALREADY_ACTIVE);
        }
        requireNoArgument(argument);
        // RFC 3207 and the SslHandler javadoc: the handler goes in before the reply, which leaves in plaintext;
        // whatever the client pipelined after STARTTLS was sent in the clear and is dropped.
        writeReplies();  // the replies to commands before STARTTLS leave in plaintext too, before the handler
        ctx.pipeline().addFirst("tls", startTls.newHandler(ctx.channel(), true));
        decoder.discardBufferedInput();
        heloName = null;
        extended = false;
        principal = null;
        resetTransaction();
        queue(SmtpReplies.READY_FOR_TLS);
        flushReplies();
    }

    private void auth(String argument) {
        if (!extended) {
            throw new SmtpReplyException(SmtpReplies.SEND_EHLO_FIRST);
        }
        if (principal != null) {
            throw new SmtpReplyException(SmtpReplies.ALREADY_AUTHENTICATED);
        }
        if (transaction != null) {
            throw new SmtpReplyException(SmtpReplies.AUTH_IN_TRANSACTION);
        }
        if (!authAllowed()) {
            throw new SmtpReplyException(SmtpReplies.ENCRYPTION_REQUIRED);
        }
        int space = argument.indexOf(' ');
        String mechanism = space < 0 ? argument : argument.substring(0, space);
        if (mechanism.isEmpty()) {
            throw new SmtpReplyException(SmtpReplies.AUTH_SYNTAX);
        }
        SaslExchange exchange = SaslExchange.start(mechanism);
        if (exchange == null) {
            throw new SmtpReplyException(SmtpReplies.UNKNOWN_MECHANISM);
        }
        sasl = exchange;
        if (space < 0) {
            challenge(exchange.firstChallenge());
        } else {
            saslRespond(argument.substring(space + 1).trim());
        }
    }

    private void onSaslResponse(SaslResponse response) {
        if (sasl == null) {
            return;
        }
        if (response.decoderResult().isFailure()) {
            sasl = null;
            reply(SmtpReplies.badLine(response.decoderResult().cause().getMessage()));
        } else {
            saslRespond(response.line());
        }
    }

    private void saslRespond(String line) {
        if (line.equals("*")) {
            sasl = null;
            reply(SmtpReplies.SASL_CANCELLED);
            return;
        }
        byte[] decoded;
        try {
            decoded = line.equals("=") ? new byte[0] : Base64.getDecoder().decode(line);
        } catch (IllegalArgumentException e) {
            sasl = null;
            reply(SmtpReplies.SASL_BAD_BASE64);
            return;
        }
        SaslStep step = sasl.respond(decoded);
        if (step instanceof SaslStep.Challenge challenge) {
            challenge(challenge.base64());
            return;
        }
        sasl = null;
        if (step instanceof SaslStep.Failed failed) {
            reply(failed.reply());
        } else if (step instanceof SaslStep.Credentials credentials) {
            CompletionStage<AuthResult> result;
            try {
                result = authenticator.authenticate(credentials.username(), credentials.password());
            } catch (RuntimeException e) {
                log.error("[{}] authenticator failed", id(), e);
                reply(SmtpReplies.AUTH_TEMPORARY_FAILURE);
                return;
            }
            await(result, (answer, error) -> authenticated(credentials.username(), answer, error));
        }
    }

    private void challenge(String base64) {
        reply(SmtpReplies.challenge(base64));
        decoder.expectSaslResponse();
    }

    private void authenticated(String username, AuthResult result, Throwable error) {
        if (result instanceof AuthResult.Success success) {
            principal = success.principal();
            log.debug("[{}] authenticated as {}", id(), principal.getName());
            reply(SmtpReplies.AUTH_SUCCEEDED);
        } else if (result instanceof AuthResult.Rejected rejected) {
            // One line per failure, the same shape always, for fail2ban and its kind: "client=<address> user=..."
            authentication.warn("Authentication failed: client={} user=\"{}\" session={}", clientAddress(),
                    printable(username), id());
            if (++authFailures >= config.maxAuthFailures()) {
                closeWith(SmtpReplies.TOO_MANY_AUTH_FAILURES);
            } else {
                reply(rejected.reason() == null ? SmtpReplies.AUTH_FAILED
                                                : SmtpReply.of(535, "5.7.8", rejected.reason()));
            }
        } else if (result instanceof AuthResult.TemporaryFailure failure) {
            reply(SmtpReply.of(454, "4.7.0", failure.reason()));
        } else {
            log.warn("[{}] authentication could not complete", id(), error);
            reply(SmtpReplies.AUTH_TEMPORARY_FAILURE);
        }
    }

    private void mail(String argument) {
        if (heloName == null) {
            throw new SmtpReplyException(SmtpReplies.SEND_HELLO_FIRST);
        }
        if (config.authRequired() && principal == null) {
            throw new SmtpReplyException(SmtpReplies.AUTH_REQUIRED);
        }
        if (transaction != null) {
            throw new SmtpReplyException(SmtpReplies.NESTED_MAIL);
        }
        PathArgument path = PathArgument.parse(argument, "FROM:", SmtpReplies.MAIL_SYNTAX, SmtpReplies.BAD_SENDER);
        MailParameters parameters = MailParametersParser.parse(path.parameters(), extended, config.maxMessageSize());
        if (path.nonAscii() && !parameters.smtpUtf8()) {
            throw new SmtpReplyException(SmtpReplies.NON_ASCII_ADDRESS);
        }
        transaction = new MailTransaction(path.mailbox(), parameters);
        reply(SmtpReplies.SENDER_OK);
    }

    private void rcpt(String argument) {
        if (transaction == null) {
            throw new SmtpReplyException(SmtpReplies.NEED_MAIL);
        }
        if (receiving) {
            throw new SmtpReplyException(RCPT_AFTER_BDAT);
        }
        PathArgument path = PathArgument.parse(argument, "TO:", SmtpReplies.RCPT_SYNTAX, SmtpReplies.BAD_RECIPIENT);
        if (path.mailbox() == null) {
            throw new SmtpReplyException(SmtpReplies.BAD_RECIPIENT);
        }
        if (!path.parameters().isEmpty()) {
            throw new SmtpReplyException(SmtpReplies.UNSUPPORTED_PARAMETER);
        }
        if (path.nonAscii() && !transaction.parameters().smtpUtf8()) {
            throw new SmtpReplyException(SmtpReplies.NON_ASCII_ADDRESS);
        }
        if (transaction.recipients().size() >= config.maxRecipients()) {
            throw new SmtpReplyException(SmtpReplies.TOO_MANY_RECIPIENTS);
        }
        transaction.recipients().add(path.mailbox());
        reply(SmtpReplies.RECIPIENT_OK);
    }

    private void data(String argument) {
        requireNoArgument(argument);
        requireRecipients();
        if (receiving) {
            throw new SmtpReplyException(SmtpReplies.DATA_AFTER_BDAT);
        }
        openSink();
        decoder.startData();
        reply(SmtpReplies.START_MAIL_INPUT);
    }

    /** The decoder consumes the chunk whatever is decided here; a refused chunk's content is dropped. */
    private void bdat(BdatRequest bdat) {
        if (!extended) {
            throw new SmtpReplyException(SmtpReplies.SEND_EHLO_FIRST);
        }
        requireRecipients();
        if (!receiving) {
            openSink();
        }
        if (!bdat.last()) {
            chunkSize = bdat.size();
            chunkRemaining = bdat.size();
            chunkReplyDue = true;
            if (chunkRemaining == 0) {
                chunkReceived();
            }
        }
    }

    private void requireRecipients() {
        if (transaction == null) {
            throw new SmtpReplyException(SmtpReplies.NEED_MAIL);
        }
        if (transaction.recipients().isEmpty()) {
            throw new SmtpReplyException(SmtpReplies.NO_VALID_RECIPIENTS);
        }
    }

    private void openSink() {
        Envelope envelope = new Envelope(transaction.sender(), transaction.recipients(), transaction.parameters(),
                principal, ctx.channel().remoteAddress(), heloName, tls);
        try {
            sink = requireNonNull(receiver.open(envelope), "sink");
        } catch (RuntimeException e) {
            log.error("[{}] receiver refused to open a message", id(), e);
            resetTransaction();
            throw new SmtpReplyException(SmtpReplies.DELIVERY_FAILED_TEMPORARILY);
        }
        receiving = true;
        messageSize = 0;
    }

    private void onContent(SmtpContent content) {
        try {
            ByteBuf chunk = content.content();
            int length = chunk.readableBytes();
            if (receiving) {
                messageSize += length;
                if (sink != null && messageSize > config.maxMessageSize()) {
                    sink.abort();
                    sink = null;
                }
                if (sink != null && length > 0) {
                    sink.content(chunk);
                }
            }
            if (chunkReplyDue) {
                chunkRemaining -= length;
                if (chunkRemaining == 0) {
                    chunkReceived();
                }
            }
            if (content instanceof LastSmtpContent last && receiving) {
                endOfMessage(last);
            }
        } finally {
            content.release();
        }
    }

    private void chunkReceived() {
        chunkReplyDue = false;
        if (sink == null) {
            resetTransaction();
            reply(SmtpReplies.MESSAGE_TOO_BIG);
        } else {
            reply(SmtpReplies.chunkReceived(chunkSize));
        }
    }

    private void endOfMessage(LastSmtpContent last) {
        MessageSink message = sink;
        sink = null;
        resetTransaction();
        if (message == null) {
            reply(SmtpReplies.MESSAGE_TOO_BIG);
        } else if (last.decoderResult().isFailure()) {
            message.abort();
            reply(SmtpReplies.BARE_LINE_ENDING);
        } else {
            CompletionStage<SmtpReply> outcome;
            try {
                outcome = message.end();
            } catch (RuntimeException e) {
                log.error("[{}] message sink failed", id(), e);
                reply(SmtpReplies.DELIVERY_FAILED_TEMPORARILY);
                return;
            }
            await(outcome, (reply, error) -> {
                if (reply == null) {
                    log.warn("[{}] message hand-over failed", id(), error);
                }
                reply(reply == null ? SmtpReplies.DELIVERY_FAILED_TEMPORARILY : reply);
            });
        }
    }

    private void resetTransaction() {
        if (sink != null) {
            sink.abort();
            sink = null;
        }
        receiving = false;
        chunkReplyDue = false;
        transaction = null;
    }

    private void onHandshake(SslHandshakeCompletionEvent handshake) {
        if (handshake.isSuccess()) {
            SSLSession session = ctx.pipeline().get(SslHandler.class).engine().getSession();
            tls = new TlsInfo(session.getProtocol(), session.getCipherSuite());
            log.debug("[{}] TLS established: {} {}", id(), tls.protocol(), tls.cipherSuite());
        } else {
            log.debug("[{}] TLS handshake failed: {}", id(), handshake.cause().toString());
        }
    }

    private boolean authAllowed() {
        return tls != null || !config.tlsRequiredForAuth();
    }

    private static void requireNoArgument(String argument) {
        if (!argument.isBlank()) {
            throw new SmtpReplyException(SmtpReplies.NO_ARGUMENTS);
        }
    }

    private void reply(SmtpReply reply) {
        queue(reply);
        if (isBadCommand(reply) && ++errors >= config.maxErrors()) {
            closeWith(SmtpReplies.TOO_MANY_ERRORS);
        }
    }

    private void queue(SmtpReply reply) {
        if (pendingReplies == null) {
            pendingReplies = ctx.alloc().directBuffer(PENDING_REPLIES_CAPACITY);
        }
        pendingReplies.writeBytes(reply.encoded());
        if (pendingReplies.readableBytes() >= PENDING_REPLIES_LIMIT) {
            writeReplies();
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
    private <T> void await(CompletionStage<T> stage, BiConsumer<T, Throwable> then) {
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

    private <T> void resume(BiConsumer<T, Throwable> then, T value, Throwable error) {
        pauses &= ~AWAITING_ANSWER;
        if (!ctx.channel().isActive()) {
            return;
        }
        try {
            then.accept(value, error);
            if (shutdownRequested) {
                closeWith(SmtpReplies.SHUTTING_DOWN);
            }
            resumeDecoding();
        } catch (RuntimeException e) {
            exceptionCaught(ctx, e);
        }
        flushReplies();
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
            writeDeadline = ctx.executor().schedule(this::writeTimedOut, config.writeTimeout().toMillis(),
                    TimeUnit.MILLISECONDS);
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
            limits.info("[{}] Closing the connection from {}: its replies stayed unread for {}", id(),
                    ctx.channel().remoteAddress(), config.writeTimeout());
            config.metrics().writeTimedOut();
            ctx.close();
        }
    }

    private void writeReplies() {
        if (pendingReplies != null) {
            ctx.write(pendingReplies, ctx.voidPromise());
            pendingReplies = null;
        }
    }

    private void flushReplies() {
        writeReplies();
        ctx.flush();
    }

    private void closeWith(SmtpReply reply) {
        if (closing) {
            return;
        }
        queue(reply);
        closeAfterFlush();
    }

    private void closeAfterFlush() {
        closing = true;
        decoder.pause();
        writeReplies();
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        armWriteDeadline();
    }

    private String id() {
        return ctx.channel().id().asShortText();
    }

    /** The client's IP address, as a log line shows it. */
    private String clientAddress() {
        SocketAddress address = ctx.channel().remoteAddress();
        return address instanceof InetSocketAddress inet && inet.getAddress() != null
               ? inet.getAddress().getHostAddress() : String.valueOf(address);
    }

    /** {@code text} the client chose, fit for one log line: control characters and quotes replaced. */
    private static String printable(String text) {
        StringBuilder out = new StringBuilder(Math.min(text.length(), 256));
        for (int i = 0; i < text.length() && i < 256; i++) {
            char c = text.charAt(i);
            out.append(c < 0x20 || c == 0x7f || c == '"' ? '?' : c);
        }
        return out.toString();
    }

    /** Whether the answer to an {@link #await} came before it returned. */
    private static final class Suspension {
        boolean suspended;
        boolean completedInline;
    }
}
