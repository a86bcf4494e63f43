package io.cakemail.gateway.core.http;

/**
 * What the API client reports for the operator's metrics: every HTTP exchange with the API (token, senders, emails),
 * its latency and how it ended. Called on any thread, often an event loop: an implementation must be thread-safe and
 * must not block. Every method does nothing by default.
 */
public interface ApiMetricsRecorder {

    /** Records nothing. */
    ApiMetricsRecorder NONE = new ApiMetricsRecorder() {};

    /** An exchange started; it ends with exactly one call to {@link #responded} or {@link #failed}. */
    default void started() {}

    /** The API answered {@code status}, {@code nanos} after the exchange started. */
    default void responded(long nanos, int status) {}

    /** No answer came: the exchange failed {@code nanos} after it started. */
    default void failed(long nanos, ApiError error) {}

    /** A submission was answered {@code 201} with a {@code data.status} the gateway does not know; taken as accepted. */
    default void unknownSubmissionStatus() {}
}
