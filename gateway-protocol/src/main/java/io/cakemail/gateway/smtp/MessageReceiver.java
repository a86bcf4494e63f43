package io.cakemail.gateway.smtp;

/**
 * Takes the messages of a session. {@link #open} is called on the event loop when the client starts sending
 * content (DATA accepted, or the first BDAT); it must not block.
 */
@FunctionalInterface
public interface MessageReceiver {

    MessageSink open(Envelope envelope);
}
