package io.cakemail.gateway.smtp;

/**
 * What the DATA decoder does with a CR or LF that is not part of a CRLF pair. Either way a bare line ending never
 * ends the message: only {@code CRLF.CRLF} does (SMTP smuggling).
 */
public enum BareLineEndingPolicy {
    /** Replace each bare CR or LF with CRLF in the content passed on. */
    NORMALIZE,
    /** Consume the message to its end, then refuse it with {@code 550 5.6.0}. */
    REJECT
}
