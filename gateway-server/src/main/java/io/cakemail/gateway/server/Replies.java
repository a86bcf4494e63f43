package io.cakemail.gateway.server;

import io.cakemail.gateway.core.submission.Refusal;
import io.cakemail.gateway.smtp.SmtpReply;

/**
 * Turns the core's outcomes into SMTP replies.
 */
final class Replies {

    private Replies() {
    }

    /** A permanent refusal, its reason on one line. */
    static SmtpReply refusal(Refusal refusal) {
        return SmtpReply.of(refusal.code(), refusal.enhancedStatus(), refusal.reason());
    }
}
