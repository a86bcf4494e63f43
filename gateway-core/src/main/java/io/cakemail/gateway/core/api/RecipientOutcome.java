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
     * It was not submitted now (the API refused the connection or the stream, answered 503 or 429, the circuit is
     * open, a token was refused twice); the client should try again.
     */
    record Deferred(String recipient, String reason, boolean tokenRejected) implements RecipientOutcome {}

    /**
     * It may have reached the API, which did not say whether it took it (a connection lost after the request was
     * written, no answer in time, a 500): it is not tried again now, and the client's retry asks the API's log
     * before sending it again.
     *
     * @param since when the doubtful try began, in epoch seconds
     * @param until when it ended: the API took it between the two, if it did, and its log is searched there
     */
    record InDoubt(String recipient, String reason, long since, long until) implements RecipientOutcome {}
}
