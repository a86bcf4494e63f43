package io.cakemail.gateway.smtp;

import java.util.concurrent.CompletionStage;

/**
 * Checks the credentials of SMTP AUTH (PLAIN or LOGIN). Implementations must not block: the call happens on an
 * event loop, and the stage may complete on any thread (the session resumes on its own event loop). A stage that
 * completes exceptionally counts as a {@link AuthResult.TemporaryFailure}.
 */
@FunctionalInterface
public interface SmtpAuthenticator {

    /** @param session the id of the SMTP session, for the log lines of the check */
    CompletionStage<AuthResult> authenticate(String session, String username, String password);
}
