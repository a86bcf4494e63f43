package io.cakemail.gateway.smtp;

import java.net.SocketAddress;
import java.security.Principal;

/**
 * Limits on what one client may do, across its sessions: how many messages an address or a login may start, and
 * whether an address that failed too many logins may try again. The server implements it; sessions ask it at MAIL
 * and AUTH, with the {@link ClientAddress client's address}. Every method answers at once, on the event loop: it must
 * be thread-safe and must not block. Everything is allowed by default.
 */
public interface ClientPolicy {

    /** Allows everything. */
    ClientPolicy NONE = new ClientPolicy() {};

    /**
     * MAIL is about to start a transaction.
     *
     * @param login the authenticated user, or {@code null}
     * @return {@code null} to go on, or the reply that refuses it (such as {@code 450 4.7.1})
     */
    default SmtpReply mailStarting(SocketAddress client, Principal login) {
        return null;
    }

    /** AUTH is about to check credentials: {@code null} to go on, or the reply while the client is blocked. */
    default SmtpReply authenticating(SocketAddress client) {
        return null;
    }

    /**
     * An AUTH was refused for wrong credentials.
     *
     * @return {@code null}, or the reply that closes the session because the client is now blocked
     */
    default SmtpReply authenticationRefused(SocketAddress client) {
        return null;
    }
}
