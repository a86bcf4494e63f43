package io.cakemail.gateway.server.config;

import io.cakemail.gateway.server.GatewayMain;

/**
 * The gateway cannot start as configured: the message is one line naming the variable and its value (a port in use,
 * a key that does not match its certificate), which {@link GatewayMain} prints instead of a stack trace.
 */
public final class StartupException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public StartupException(String message, Throwable cause) {
        super(message, cause);
    }
}
