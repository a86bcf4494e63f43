package io.cakemail.gateway.smtp.session;

import io.cakemail.gateway.smtp.MailParameters;
import io.cakemail.gateway.smtp.MessageSink;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * One mail transaction, from MAIL to the end of its content: the envelope being built, then the sink the content
 * streams into, its size so far, and the BDAT chunk whose reply is due. A session holds one at most and drops it
 * whole ({@link #abort}) on RSET, a new greeting, STARTTLS or the end of the connection.
 */
final class MailTransaction {

    private final String sender;
    private final MailParameters parameters;
    private final List<String> recipients = new ArrayList<>();
    /** The recipients lower-cased: an address given twice, in any case, is one recipient, sent the message once. */
    private final Set<String> distinct = new HashSet<>();
    /** Content has started (DATA or a first BDAT): no more recipients. */
    private boolean receiving;
    /** Where the content goes; {@code null} once it was dropped for being too large. */
    private MessageSink sink;

    private long messageSize;
    private long chunkSize;
    private long chunkRemaining;
    private boolean chunkReplyDue;

    MailTransaction(String sender, MailParameters parameters) {
        this.sender = sender;
        this.parameters = parameters;
    }

    String sender() {
        return sender;
    }

    MailParameters parameters() {
        return parameters;
    }

    List<String> recipients() {
        return recipients;
    }

    /** Adds {@code recipient}, which {@link #hasRecipient} does not know yet. */
    void addRecipient(String recipient) {
        distinct.add(recipient.toLowerCase(Locale.ROOT));
        recipients.add(recipient);
    }

    /** Whether {@code recipient} was given already, in any case. */
    boolean hasRecipient(String recipient) {
        return distinct.contains(recipient.toLowerCase(Locale.ROOT));
    }

    boolean receiving() {
        return receiving;
    }

    /** Content starts, into {@code messageSink}. */
    void receive(MessageSink messageSink) {
        sink = messageSink;
        receiving = true;
        messageSize = 0;
    }

    /**
     * Passes {@code chunk} to the sink, unless the message has grown past {@code maxMessageSize}: the sink is then
     * aborted, and the rest of the content only counted.
     */
    void content(ByteBuf chunk, long maxMessageSize) {
        int length = chunk.readableBytes();
        messageSize += length;
        if (sink != null && messageSize > maxMessageSize) {
            sink.abort();
            sink = null;
        }
        if (sink != null && length > 0) {
            sink.content(chunk);
        }
    }

    /** The octets of content received so far. */
    long messageSize() {
        return messageSize;
    }

    /** Whether the message is still going to its sink, not dropped for its size. */
    boolean withinSize() {
        return sink != null;
    }

    /** The sink, which the caller now ends or aborts; the transaction is over. */
    MessageSink takeSink() {
        MessageSink taken = sink;
        sink = null;
        return taken;
    }

    /** A non-final BDAT chunk of {@code size} octets: its reply is due once they have arrived. */
    void chunk(long size) {
        chunkSize = size;
        chunkRemaining = size;
        chunkReplyDue = true;
    }

    boolean chunkReplyDue() {
        return chunkReplyDue;
    }

    /** Counts {@code length} octets of the current chunk; whether that completes it. */
    boolean chunkReceived(long length) {
        chunkRemaining -= length;
        if (chunkReplyDue && chunkRemaining == 0) {
            chunkReplyDue = false;
            return true;
        }
        return false;
    }

    long chunkSize() {
        return chunkSize;
    }

    /** Drops the message, if it was being received. */
    void abort() {
        if (sink != null) {
            sink.abort();
            sink = null;
        }
        chunkReplyDue = false;
    }
}
