package io.cakemail.gateway.core.http;

import io.netty.handler.timeout.TimeoutException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import javax.net.ssl.SSLException;

/**
 * How an exchange with the API went wrong, as a bounded set of labels for metrics ({@link #label}): no answer
 * ({@code timeout}, {@code connect}, {@code tls}, {@code io}) or an answer that is an error ({@code rate_limited} for
 * 429, {@code status_4xx}, {@code status_5xx}).
 */
public enum ApiError {
    TIMEOUT,
    CONNECT,
    TLS,
    IO,
    RATE_LIMITED,
    STATUS_4XX,
    STATUS_5XX;

    private final String label = name().toLowerCase(java.util.Locale.ROOT);

    public String label() {
        return label;
    }

    /** What an exchange that ended with {@code error} (and no answer) counts as. */
    public static ApiError of(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof java.util.concurrent.TimeoutException || cause instanceof TimeoutException) {
                return TIMEOUT;
            }
            if (cause instanceof ConnectException || cause instanceof UnknownHostException) {
                return CONNECT;
            }
            if (cause instanceof SSLException) {
                return TLS;
            }
        }
        return IO;
    }

    /** What an answer with {@code status} counts as, or {@code null} when it is not an error. */
    public static ApiError of(int status) {
        if (status == 429) {
            return RATE_LIMITED;
        }
        if (status >= 500) {
            return STATUS_5XX;
        }
        return status >= 400 ? STATUS_4XX : null;
    }
}
