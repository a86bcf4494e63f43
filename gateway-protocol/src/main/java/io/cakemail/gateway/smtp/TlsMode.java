package io.cakemail.gateway.smtp;

/**
 * How a listener secures its connections.
 */
public enum TlsMode {
    /** Plaintext only; STARTTLS is not offered. For tests and benchmarks behind a trusted boundary. */
    NONE,
    /** Plaintext until the client sends STARTTLS (RFC 3207), as on port 587. */
    STARTTLS,
    /** TLS from the first octet (RFC 8314), as on port 465. */
    IMPLICIT
}
