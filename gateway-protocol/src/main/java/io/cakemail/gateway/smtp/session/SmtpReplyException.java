package io.cakemail.gateway.smtp.session;

import io.cakemail.gateway.smtp.SmtpReply;

/**
 * Aborts the processing of a command with the reply the client gets. Carries no stack trace: it is control flow.
 */
final class SmtpReplyException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient SmtpReply reply;

    SmtpReplyException(SmtpReply reply) {
        super(reply.toString(), null, false, false);
        this.reply = reply;
    }

    SmtpReply reply() {
        return reply;
    }
}
