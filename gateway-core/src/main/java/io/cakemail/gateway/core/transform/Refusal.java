package io.cakemail.gateway.core.transform;

import static java.util.Objects.requireNonNull;

/**
 * Why a message cannot be submitted, as the SMTP layer passes it on: a reply code, an enhanced status code (RFC 3463)
 * and one line of reason naming the offending part. Permanent (5xx), but for {@link #insufficientStorage}.
 */
public record Refusal(int code, String enhancedStatus, String reason) {

    public Refusal {
        requireNonNull(enhancedStatus, "enhancedStatus");
        requireNonNull(reason, "reason");
    }

    /** {@code 552 5.3.4}: a size limit. */
    public static Refusal tooLarge(String reason) {
        return new Refusal(552, "5.3.4", reason);
    }

    /** {@code 452 4.3.1}: no room for the message now. */
    public static final Refusal NO_STORAGE =
            insufficientStorage("Insufficient system storage for the message now, try again later");

    /** {@code 452 4.3.1}: no room for the message now; the client tries again later. */
    public static Refusal insufficientStorage(String reason) {
        return new Refusal(452, "4.3.1", reason);
    }

    /** {@code 554 5.6.0}: the structure or the headers of the message. */
    public static Refusal badContent(String reason) {
        return new Refusal(554, "5.6.0", reason);
    }

    /** {@code 554 5.6.1}: a media type the API cannot carry. */
    public static Refusal unsupportedMedia(String reason) {
        return new Refusal(554, "5.6.1", reason);
    }
}
