package io.cakemail.gateway.smtp.session;

import io.cakemail.gateway.common.SessionMessage;
import io.cakemail.gateway.smtp.TlsInfo;
import java.security.Principal;

/**
 * What a session knows of its client for as long as the connection lasts: its greeting, TLS, its login, and the bad
 * commands and failed logins it has spent. STARTTLS forgets the greeting and the login (RFC 3207); the counts stay.
 */
final class ClientState {

    /** The EHLO or HELO domain, or {@code null} before either. */
    String heloName;

    boolean extended;
    TlsInfo tls;
    Principal principal;
    int errors;
    int authFailures;
    /** When the connection opened, in {@link System#nanoTime} units. */
    long connectedAt;
    /** Messages whose content ended, and those of them answered 2xx. */
    int messages;

    int messagesAccepted;

    void greeted(String domain, boolean ehlo) {
        heloName = domain;
        extended = ehlo;
    }

    /** The authenticated login, or {@code -} before one. */
    String login() {
        return principal == null ? "-" : principal.getName();
    }

    /** The connection's one line, when it closes after {@code nanos}. */
    SessionMessage closedLine(String session, String address, long nanos) {
        return new SessionMessage(session, "connection closed")
                .field("client.address", address)
                .field("user.name", login())
                .field("tls.version", tls == null ? "-" : tls.protocol())
                .field("smtp.messages", messages)
                .field("smtp.messages.accepted", messagesAccepted)
                .field("smtp.errors", errors)
                .field("smtp.auth.failures", authFailures)
                .field("event.duration_ms", nanos / 1000 / 1000.0);
    }

    /** After STARTTLS: the client must greet and log in again. */
    void forgetGreetingAndLogin() {
        heloName = null;
        extended = false;
        principal = null;
    }
}
