package io.cakemail.gateway.smtp;

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
}
