package io.cakemail.gateway.core.api;

/**
 * Why a login failed: wrong credentials, an account with multi-factor authentication, or an API that could not
 * answer (temporary).
 */
public final class AuthenticationException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** The kinds of failure, each with its own SMTP reply. */
    public enum Kind {
        BAD_CREDENTIALS,
        MFA_REQUIRED,
        UNAVAILABLE
    }

    private final Kind kind;

    AuthenticationException(Kind kind, String message) {
        super(message, null, false, false);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
