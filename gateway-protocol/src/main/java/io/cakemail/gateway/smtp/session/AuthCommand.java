package io.cakemail.gateway.smtp.session;

import io.cakemail.gateway.common.SessionLog;
import io.cakemail.gateway.smtp.AuthResult;
import io.cakemail.gateway.smtp.SmtpAuthenticator;
import io.cakemail.gateway.smtp.SmtpReplies;
import io.cakemail.gateway.smtp.SmtpReply;
import io.cakemail.gateway.smtp.SmtpServerConfig;
import io.cakemail.gateway.smtp.SmtpServices;
import io.cakemail.gateway.smtp.codec.SaslResponse;
import io.cakemail.gateway.smtp.codec.SmtpRequestDecoder;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * AUTH (RFC 4954) for one session: the command's checks, the SASL exchange in progress (PLAIN or LOGIN, with or
 * without an initial response), and the login's outcome. The session hands it the AUTH line and every SASL
 * response line, and does the replying and the waiting for the {@link SmtpAuthenticator}.
 */
final class AuthCommand {

    private static final SessionLog log = SessionLog.of(AuthCommand.class);
    /** Failed logins: one line each, with the client's address, for tools such as fail2ban. */
    private static final SessionLog authentication = SessionLog.of("io.cakemail.gateway.auth");

    private final SmtpServerHandler session;
    private final SmtpServerConfig config;
    private final SmtpServices services;
    private final ClientState client;
    private final SmtpRequestDecoder decoder;
    /** The exchange waiting for the client's next response, or {@code null}. */
    private SaslExchange exchange;

    AuthCommand(
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

    /** Whether AUTH is offered and accepted now: under TLS, unless the configuration allows it without. */
    boolean allowed() {
        return client.tls != null || !config.tlsRequiredForAuth();
    }

    /** The EHLO keyword of AUTH, when it is offered now. */
    void ehloKeywords(List<String> lines) {
        if (allowed()) {
            lines.add("AUTH " + SaslExchange.MECHANISMS);
        }
    }

    /** {@code AUTH mechanism [initial-response]}. */
    void start(String argument, boolean inTransaction) {
        if (!client.extended) {
            throw new SmtpReplyException(SmtpReplies.SEND_EHLO_FIRST);
        }
        if (client.principal != null) {
            throw new SmtpReplyException(SmtpReplies.ALREADY_AUTHENTICATED);
        }
        if (inTransaction) {
            throw new SmtpReplyException(SmtpReplies.AUTH_IN_TRANSACTION);
        }
        if (!allowed()) {
            throw new SmtpReplyException(SmtpReplies.ENCRYPTION_REQUIRED);
        }
        int space = argument.indexOf(' ');
        String mechanism = space < 0 ? argument : argument.substring(0, space);
        if (mechanism.isEmpty()) {
            throw new SmtpReplyException(SmtpReplies.AUTH_SYNTAX);
        }
        SaslExchange started = SaslExchange.start(mechanism);
        if (started == null) {
            throw new SmtpReplyException(SmtpReplies.UNKNOWN_MECHANISM);
        }
        exchange = started;
        if (space < 0) {
            challenge(started.firstChallenge());
        } else {
            respond(argument.substring(space + 1).trim());
        }
    }

    /** A line answering a {@code 334} challenge. */
    void onResponse(SaslResponse response) {
        if (exchange == null) {
            return;
        }
        if (response.decoderResult().isFailure()) {
            exchange = null;
            session.reply(SmtpReplies.badLine(response.decoderResult().cause().getMessage()));
        } else {
            respond(response.line());
        }
    }

    /** Forgets an exchange in progress, when the connection ends. */
    void reset() {
        exchange = null;
    }

    private void respond(String line) {
        if (line.equals("*")) {
            exchange = null;
            session.reply(SmtpReplies.SASL_CANCELLED);
            return;
        }
        byte[] decoded;
        try {
            decoded = line.equals("=") ? new byte[0] : Base64.getDecoder().decode(line);
        } catch (IllegalArgumentException e) {
            exchange = null;
            session.reply(SmtpReplies.SASL_BAD_BASE64);
            return;
        }
        SaslStep step = exchange.respond(decoded);
        if (step instanceof SaslStep.Challenge challenge) {
            challenge(challenge.base64());
            return;
        }
        exchange = null;
        if (step instanceof SaslStep.Failed failed) {
            session.reply(failed.reply());
        } else if (step instanceof SaslStep.Credentials credentials) {
            SmtpReply blocked = services.policy().authenticating(session.remoteAddress());
            if (blocked != null) {
                session.reply(blocked);
                return;
            }
            CompletionStage<AuthResult> result;
            try {
                result = services.authenticator()
                        .authenticate(session.id(), credentials.username(), credentials.password());
            } catch (RuntimeException e) {
                log.error(session.id(), "authenticator failed", e);
                session.reply(SmtpReplies.AUTH_TEMPORARY_FAILURE);
                return;
            }
            session.await(result, (answer, error) -> authenticated(credentials.username(), answer, error));
        }
    }

    private void challenge(String base64) {
        session.reply(SmtpReplies.challenge(base64));
        decoder.expectSaslResponse();
    }

    private void authenticated(String username, AuthResult result, Throwable error) {
        if (result instanceof AuthResult.Success success) {
            client.principal = success.principal();
            log.debug(session.id(), "authenticated as {}", client.principal.getName());
            session.reply(SmtpReplies.AUTH_SUCCEEDED);
        } else if (result instanceof AuthResult.Rejected rejected) {
            // One line per failure, the same shape always, for fail2ban and its kind: "client=<address> user=..."
            services.metrics().authenticationFailed();
            authentication.warn(
                    session.id(),
                    "Authentication failed: client={} user=\"{}\"{}",
                    session.clientAddress(),
                    printable(username),
                    rejected.reason() == null ? "" : " reason=\"" + printable(rejected.reason()) + '"');
            SmtpReply blocked = services.policy().authenticationRefused(session.remoteAddress());
            if (blocked != null) {
                session.closeWith(blocked);
            } else if (++client.authFailures >= config.maxAuthFailures()) {
                session.closeWith(SmtpReplies.TOO_MANY_AUTH_FAILURES);
            } else {
                session.reply(SmtpReplies.AUTH_FAILED);
            }
        } else if (result instanceof AuthResult.TemporaryFailure failure) {
            session.reply(SmtpReply.of(454, "4.7.0", failure.reason()));
        } else {
            log.warn(session.id(), "authentication could not complete", error);
            session.reply(SmtpReplies.AUTH_TEMPORARY_FAILURE);
        }
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
}
