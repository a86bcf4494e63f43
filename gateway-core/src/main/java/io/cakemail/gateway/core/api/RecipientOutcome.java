package io.cakemail.gateway.core.api;

/**
 * What happened to one recipient of a message.
 */
public sealed interface RecipientOutcome {

    String recipient();

    /** The API queued it ({@code 201}, {@code status: queued}); {@code remembered} when an earlier try did. */
    record Queued(String recipient, String emailId, boolean remembered) implements RecipientOutcome {}

    /** The API refused it for good (400, 403, 404, 422, or 201 with {@code rejected}/{@code error}). */
    record Refused(String recipient, int status, String reason) implements RecipientOutcome {}

    /**
     * It could not be submitted now (timeouts, resets, 5xx, 429, open circuit, a token refused twice); the client
     * should try again.
     */
    record Deferred(String recipient, String reason, boolean tokenRejected) implements RecipientOutcome {}
}
