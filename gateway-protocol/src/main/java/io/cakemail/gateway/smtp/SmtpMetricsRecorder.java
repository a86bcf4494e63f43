package io.cakemail.gateway.smtp;

import io.cakemail.gateway.smtp.codec.SmtpCommand;

/**
 * What SMTP sessions report for the operator's metrics, in the manner of Reactor Netty's
 * {@code ChannelMetricsRecorder}: the server implements it over its meter registry. Called on a session's event
 * loop, so an implementation must be thread-safe and must not block. Every method does nothing by default.
 */
public interface SmtpMetricsRecorder {

    /** Records nothing. */
    SmtpMetricsRecorder NONE = new SmtpMetricsRecorder() {};

    /**
     * A session was closed because its client left replies unread for the {@linkplain SmtpServerConfig#writeTimeout
     * write timeout}, or because a closing session's last reply could not leave within it.
     */
    default void writeTimedOut() {}

    /** A message's content ended (DATA's final dot, or the last BDAT chunk): {@code size} octets of it arrived. */
    default void messageReceived(long size) {}

    /** AUTH was refused: wrong credentials, or an account the gateway cannot log in to. */
    default void authenticationFailed() {}

    /**
     * A reply was queued for the client.
     *
     * @param command the command it answers (for the end of a message, DATA or BDAT; for a SASL response, AUTH), or
     *     {@code null} for a reply to no command: the greeting, a timeout, a shutdown
     */
    default void replied(SmtpCommand command, int code) {}

    /** The reply to a message whose content had ended was queued {@code nanos} after that end. */
    default void messageAnswered(long nanos) {}

    /**
     * A message whose content had ended was answered {@code code} after its client had left: the reply was not sent,
     * and the client does not know what happened to a message the API may have taken.
     */
    default void answeredAfterClientLeft(int code) {}

    /** A connection closed after {@code nanos}. */
    default void connectionClosed(long nanos) {}
}
