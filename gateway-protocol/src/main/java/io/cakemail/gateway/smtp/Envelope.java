package io.cakemail.gateway.smtp;

import static java.util.Objects.requireNonNull;

import java.net.SocketAddress;
import java.security.Principal;
import java.util.List;

/**
 * Everything the session knows about a message before its content.
 *
 * @param session the id of the SMTP session, which the log lines about the message carry
 * @param sender the MAIL FROM mailbox, or {@code null} for the null reverse-path {@code <>}
 * @param recipients the accepted RCPT TO mailboxes, in order, at least one
 * @param parameters the accepted MAIL FROM parameters
 * @param principal the authenticated user, or {@code null} when the session did not authenticate
 * @param clientAddress the client's address
 * @param heloName the name the client gave in EHLO or HELO
 * @param tls the session's TLS parameters, or {@code null} in plaintext
 */
public record Envelope(
        String session,
        String sender,
        List<String> recipients,
        MailParameters parameters,
        Principal principal,
        SocketAddress clientAddress,
        String heloName,
        TlsInfo tls) {
    public Envelope {
        recipients = List.copyOf(recipients);
        requireNonNull(parameters, "parameters");
        requireNonNull(heloName, "heloName");
        if (recipients.isEmpty()) {
            throw new IllegalArgumentException("recipients: empty (expected: at least one)");
        }
    }
}
