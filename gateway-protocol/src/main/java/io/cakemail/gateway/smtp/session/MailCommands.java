package io.cakemail.gateway.smtp.session;

import static java.util.Objects.requireNonNull;

import io.cakemail.gateway.common.SessionLog;
import io.cakemail.gateway.common.SessionMessage;
import io.cakemail.gateway.smtp.Envelope;
import io.cakemail.gateway.smtp.MailParameters;
import io.cakemail.gateway.smtp.MessageReceiver;
import io.cakemail.gateway.smtp.MessageSink;
import io.cakemail.gateway.smtp.SmtpMetricsRecorder;
import io.cakemail.gateway.smtp.SmtpReplies;
import io.cakemail.gateway.smtp.SmtpReply;
import io.cakemail.gateway.smtp.SmtpServerConfig;
import io.cakemail.gateway.smtp.SmtpServices;
import io.cakemail.gateway.smtp.codec.BdatRequest;
import io.cakemail.gateway.smtp.codec.LastSmtpContent;
import io.cakemail.gateway.smtp.codec.SmtpContent;
import io.cakemail.gateway.smtp.codec.SmtpRequestDecoder;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.logging.log4j.Level;

/**
 * MAIL, RCPT, DATA and BDAT for one session, and the message's content: the {@link MailTransaction} they build,
 * from MAIL to the end of the content, handed to the {@link MessageReceiver}. The session dispatches the commands and
 * the content here and does the replying and the waiting for the sink's answer.
 */
final class MailCommands {

    private static final SessionLog log = SessionLog.of(MailCommands.class);
    /** One INFO line per message whose content ended, whatever its reply. */
    private static final SessionLog messages = SessionLog.of("io.cakemail.gateway.messages");

    private static final SmtpReply RCPT_AFTER_BDAT = SmtpReply.of(503, "5.5.1", "RCPT cannot follow BDAT");

    private final SmtpServerHandler session;
    private final SmtpServerConfig config;
    private final SmtpServices services;
    private final ClientState client;
    private final SmtpRequestDecoder decoder;
    /** The transaction from MAIL on, or {@code null}. */
    private MailTransaction transaction;

    MailCommands(
            SmtpServerHandler session,
            SmtpServerConfig config,
            SmtpServices services,
            ClientState client,
            SmtpRequestDecoder decoder) {
        this.session = session;
        this.config = config;
        this.services = services;
        this.client = client;
        this.decoder = decoder;
    }

    /** The EHLO keywords of the mail transaction's extensions. */
    void ehloKeywords(List<String> lines) {
        lines.add("SIZE " + config.maxMessageSize());
        lines.add("8BITMIME");
        lines.add("SMTPUTF8");
        lines.add("CHUNKING");
    }

    /** Whether a transaction is open (MAIL was accepted and its message not ended). */
    boolean inTransaction() {
        return transaction != null;
    }

    /** Whether a message's content is arriving: DATA before its final dot, or BDAT before its last chunk. */
    boolean receivingContent() {
        return transaction != null && transaction.receiving();
    }

    void mail(String argument) {
        if (client.heloName == null) {
            throw new SmtpReplyException(SmtpReplies.SEND_HELLO_FIRST);
        }
        if (config.authRequired() && client.principal == null) {
            throw new SmtpReplyException(SmtpReplies.AUTH_REQUIRED);
        }
        if (transaction != null) {
            throw new SmtpReplyException(SmtpReplies.NESTED_MAIL);
        }
        SmtpReply refusal = services.policy().mailStarting(session.remoteAddress(), client.principal);
        if (refusal != null) {
            throw new SmtpReplyException(refusal);
        }
        PathArgument path = PathArgument.parse(
                argument, "FROM:", SmtpReplies.MAIL_SYNTAX, SmtpReplies.BAD_SENDER, SmtpReplies.UNUSABLE_SENDER);
        MailParameters parameters =
                MailParametersParser.parse(path.parameters(), client.extended, config.maxMessageSize());
        if (path.nonAscii() && !parameters.smtpUtf8()) {
            throw new SmtpReplyException(SmtpReplies.NON_ASCII_ADDRESS);
        }
        transaction = new MailTransaction(path.mailbox(), parameters);
        session.reply(SmtpReplies.SENDER_OK);
    }

    void rcpt(String argument) {
        if (transaction == null) {
            throw new SmtpReplyException(SmtpReplies.NEED_MAIL);
        }
        if (transaction.receiving()) {
            throw new SmtpReplyException(RCPT_AFTER_BDAT);
        }
        PathArgument path = PathArgument.parse(
                argument, "TO:", SmtpReplies.RCPT_SYNTAX, SmtpReplies.BAD_RECIPIENT, SmtpReplies.UNUSABLE_RECIPIENT);
        if (path.mailbox() == null) {
            throw new SmtpReplyException(SmtpReplies.BAD_RECIPIENT);
        }
        if (!path.parameters().isEmpty()) {
            throw new SmtpReplyException(SmtpReplies.UNSUPPORTED_PARAMETER);
        }
        if (path.nonAscii() && !transaction.parameters().smtpUtf8()) {
            throw new SmtpReplyException(SmtpReplies.NON_ASCII_ADDRESS);
        }
        if (transaction.hasRecipient(path.mailbox())) {
            session.reply(SmtpReplies.RECIPIENT_REPEATED);
            return;
        }
        if (transaction.recipients().size() >= config.maxRecipients()) {
            throw new SmtpReplyException(SmtpReplies.TOO_MANY_RECIPIENTS);
        }
        transaction.addRecipient(path.mailbox());
        session.reply(SmtpReplies.RECIPIENT_OK);
    }

    void data(String argument) {
        SmtpServerHandler.requireNoArgument(argument);
        requireRecipients();
        if (transaction.receiving()) {
            throw new SmtpReplyException(SmtpReplies.DATA_AFTER_BDAT);
        }
        openSink();
        decoder.startData();
        session.reply(SmtpReplies.START_MAIL_INPUT);
    }

    /** The decoder consumes the chunk whatever is decided here; a refused chunk's content is dropped. */
    void bdat(BdatRequest bdat) {
        if (!client.extended) {
            throw new SmtpReplyException(SmtpReplies.SEND_EHLO_FIRST);
        }
        requireRecipients();
        if (!transaction.receiving()) {
            openSink();
        }
        if (!bdat.last()) {
            transaction.chunk(bdat.size());
            if (transaction.chunkReceived(0)) {
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
        Envelope envelope = new Envelope(
                session.id(),
                transaction.sender(),
                transaction.recipients(),
                transaction.parameters(),
                client.principal,
                session.remoteAddress(),
                client.heloName,
                client.tls);
        try {
            transaction.receive(requireNonNull(services.receiver().open(envelope), "sink"));
        } catch (RuntimeException e) {
            log.error(session.id(), "receiver refused to open a message", e);
            reset();
            throw new SmtpReplyException(SmtpReplies.DELIVERY_FAILED_TEMPORARILY);
        }
    }

    /** Content of the message being received; released here. */
    void content(SmtpContent content) {
        try {
            MailTransaction current = transaction;
            if (current == null || !current.receiving()) {
                return; // the content of a BDAT refused before its chunk, consumed to stay in sync
            }
            int length = content.content().readableBytes();
            current.content(content.content(), config.maxMessageSize());
            if (current.chunkReplyDue() && current.chunkReceived(length)) {
                chunkReceived();
            }
            if (content instanceof LastSmtpContent last && transaction == current) {
                endOfMessage(last);
            }
        } finally {
            content.release();
        }
    }

    private void chunkReceived() {
        if (!transaction.withinSize()) {
            reset();
            session.reply(SmtpReplies.MESSAGE_TOO_BIG);
        } else {
            session.reply(SmtpReplies.chunkReceived(transaction.chunkSize()));
        }
    }

    private void endOfMessage(LastSmtpContent last) {
        long size = transaction.messageSize();
        services.metrics().messageReceived(size);
        MessageEnd end =
                new MessageEnd(System.nanoTime(), size, transaction.recipients().size(), transaction.takeSink());
        reset();
        MessageSink message = end.sink();
        if (message == null) {
            answer(SmtpReplies.MESSAGE_TOO_BIG, end);
        } else if (last.decoderResult().isFailure()) {
            message.abort();
            answer(SmtpReplies.BARE_LINE_ENDING, end);
        } else {
            CompletionStage<SmtpReply> outcome;
            try {
                outcome = message.end();
            } catch (RuntimeException e) {
                log.error(session.id(), "message sink failed", e);
                answer(SmtpReplies.DELIVERY_FAILED_TEMPORARILY, end);
                return;
            }
            session.await(outcome, (reply, error) -> {
                if (reply == null) {
                    log.warn(session.id(), "message hand-over failed", error);
                }
                answer(reply == null ? SmtpReplies.DELIVERY_FAILED_TEMPORARILY : reply, end);
            });
        }
    }

    /**
     * Replies to a message whose content has ended, counting it and writing its log line; when the client left before
     * the answer came, the line says so and {@link SmtpMetricsRecorder#answeredAfterClientLeft} counts it.
     */
    private void answer(SmtpReply reply, MessageEnd end) {
        long nanos = System.nanoTime() - end.at();
        boolean clientLeft = !session.isOpen();
        if (clientLeft) {
            services.metrics().answeredAfterClientLeft(reply.code());
        }
        services.metrics().messageAnswered(nanos);
        client.messages++;
        if (reply.isPositive()) {
            client.messagesAccepted++;
        }
        if (messages.isEnabled(Level.INFO)) {
            SessionMessage line = new SessionMessage(session.id(), "message answered {}", reply.code())
                    .field("client.address", session.clientAddress())
                    .field("user.name", client.login())
                    .field("smtp.message.size", end.size())
                    .field("smtp.recipients", end.recipients())
                    .field("smtp.reply.code", reply.code())
                    .field("smtp.reply.status", reply.enhancedStatus())
                    .field("event.duration_ms", nanos / 1000 / 1000.0);
            if (clientLeft) {
                line.field("smtp.client_left", true);
            }
            if (end.sink() != null) {
                end.sink().describe(line);
            }
            messages.log(Level.INFO, line);
        }
        session.reply(reply);
    }

    /**
     * A message whose content ended {@code at} ({@link System#nanoTime}): its size, its recipients, and its sink, or
     * {@code null} when it was too big to keep.
     */
    private record MessageEnd(long at, long size, int recipients, MessageSink sink) {}

    /** Drops the transaction, and the message if it was being received. */
    void reset() {
        if (transaction != null) {
            transaction.abort();
            transaction = null;
        }
    }
}
