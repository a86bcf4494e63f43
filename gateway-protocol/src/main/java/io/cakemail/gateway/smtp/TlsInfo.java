package io.cakemail.gateway.smtp;

import static java.util.Objects.requireNonNull;

/**
 * The negotiated TLS parameters of a session.
 */
public record TlsInfo(String protocol, String cipherSuite) {
    public TlsInfo {
        requireNonNull(protocol, "protocol");
        requireNonNull(cipherSuite, "cipherSuite");
    }
}
