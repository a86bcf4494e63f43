package io.cakemail.gateway.smtp;

import static java.util.Objects.requireNonNull;

import java.security.Principal;

/**
 * The outcome of {@link SmtpAuthenticator#authenticate}.
 */
public sealed interface AuthResult {

    /** The credentials are good; {@code principal} travels with every message of the session. */
    record Success(Principal principal) implements AuthResult {
        public Success {
            requireNonNull(principal, "principal");
        }
    }

    /**
     * The credentials are refused: always the same {@code 535 5.7.8}, whatever the reason, so the reply tells a guesser
     * nothing (a right password of an account the gateway cannot log in to answers as a wrong one). {@code reason},
     * when not {@code null}, is for the operator: it goes in the failure's log line, never to the client.
     */
    record Rejected(String reason) implements AuthResult {}

    /** The credentials could not be checked now ({@code 454 4.7.0}); {@code reason} is shown to the client. */
    record TemporaryFailure(String reason) implements AuthResult {
        public TemporaryFailure {
            requireNonNull(reason, "reason");
        }
    }

    static AuthResult success(Principal principal) {
        return new Success(principal);
    }

    static AuthResult rejected() {
        return new Rejected(null);
    }

    static AuthResult rejected(String reason) {
        return new Rejected(reason);
    }

    static AuthResult temporaryFailure(String reason) {
        return new TemporaryFailure(reason);
    }
}
