package io.cakemail.gateway.core.mime;

/**
 * A message that breaks a {@link MimeLimits} bound; the parse stops at it.
 *
 * @param sizeLimit whether a size bound was broken (as opposed to a structural one)
 * @param reason a sentence for the sender, naming the limit
 */
public record MimeViolation(boolean sizeLimit, String reason) {}
