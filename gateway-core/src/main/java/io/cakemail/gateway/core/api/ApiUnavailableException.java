package io.cakemail.gateway.core.api;

/**
 * The API could not give an answer the gateway needs (an outage, an unexpected status): a temporary failure.
 */
public final class ApiUnavailableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public ApiUnavailableException(String message) {
        super(message, null, false, false);
    }
}
