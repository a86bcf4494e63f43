package io.cakemail.gateway.core.http;

import java.io.IOException;

/**
 * An exchange with the API that provably did not reach it: the request was never written whole (no connection, a
 * connection lost before it was sent, a stream the API refused). Only such a failure is tried again at once: after any
 * other, the API may have taken the request, and a POST sent twice is a message sent twice. Its cause, when it has
 * one, is what stopped it (a {@code ConnectException}, a timeout while waiting for a connection).
 */
public final class RequestNotSentException extends IOException {

    private static final long serialVersionUID = 1L;

    RequestNotSentException(String message, Throwable cause) {
        super(cause == null ? message : message + ": " + cause, cause);
    }
}
