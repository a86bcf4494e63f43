package io.cakemail.gateway.smtp;

import io.cakemail.gateway.common.SessionMessage;
import io.netty.buffer.ByteBuf;
import java.util.concurrent.CompletionStage;

/**
 * Receives the content of one message as it streams in, then answers with the reply to end-of-data. Every method
 * is called on the channel's event loop and must not block. Exactly one of {@link #end()} and {@link #abort()} is
 * called, once.
 */
public interface MessageSink {

    /**
     * The next chunk of content, dot-unstuffed. The buffer is only lent for the call: retain it to keep it.
     */
    void content(ByteBuf chunk);

    /**
     * The content is complete. The stage gives the reply to send (it may complete on any thread); a stage that
     * completes exceptionally is answered with {@code 451 4.3.0}. The reply must be {@code 250} only if the
     * message was accepted for delivery.
     */
    CompletionStage<SmtpReply> end();

    /** The message will not complete (too large, connection lost, transaction reset): release what is held. */
    void abort();

    /**
     * Adds what the sink knows of the message (its Message-ID, the ids the API gave it, ...) to the message's log
     * line, once its reply is known. Nothing by default.
     */
    default void describe(SessionMessage line) {}
}
