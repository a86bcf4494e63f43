package io.cakemail.sandbox;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.regex.Pattern;

/**
 * A failure the sandbox injects, for the gateway's tests and for users' own resilience tests. It applies to the
 * calls whose path starts with {@code path} (and, for {@code POST /v2/emails}, whose {@code email} matches
 * {@code recipient}), {@code times} times ({@code -1}: until removed).
 *
 * @param path a path prefix such as {@code /v2/emails} or {@code /token}; {@code null} or {@code *} for every call
 * @param recipient a regular expression the recipient must match, or {@code null}
 * @param delayMillis latency added before the answer (alone, it only slows the call down)
 * @param status an HTTP status to answer with instead of the real answer, 0 for none
 * @param body the JSON body of that answer, or {@code null} for a default one
 * @param retryAfter the {@code Retry-After} seconds of that answer, or {@code null}
 * @param reset whether to close the connection instead of answering
 * @param emailStatus for submissions: answer 201 with this {@code data.status} ({@code rejected}, {@code error})
 * @param times how many calls it applies to, {@code -1} for all
 * @param taken for submissions: the sandbox takes the message (it is in the inbox and the log) before the fault
 *     answers, as an API that stored it and then lost the connection, or answered 500, or too late
 */
public record Fault(
        String path,
        String recipient,
        @JsonProperty("delay_ms") long delayMillis,
        int status,
        String body,
        @JsonProperty("retry_after") Integer retryAfter,
        boolean reset,
        @JsonProperty("email_status") String emailStatus,
        Integer times,
        boolean taken) {

    public Fault {
        if (recipient != null) {
            Pattern.compile(recipient);
        }
        times = times == null ? -1 : times;
    }

    /** Answers {@code status} on calls under {@code path}. */
    public static Fault status(String path, int status) {
        return new Fault(path, null, 0, status, null, null, false, null, -1, false);
    }

    /** Closes the connection of calls under {@code path}. */
    public static Fault reset(String path) {
        return new Fault(path, null, 0, 0, null, null, true, null, -1, false);
    }

    /** Slows calls under {@code path} down. */
    public static Fault latency(String path, long millis) {
        return new Fault(path, null, millis, 0, null, null, false, null, -1, false);
    }

    /** Answers 429 with {@code Retry-After}. */
    public static Fault tooManyRequests(String path, int retryAfterSeconds) {
        return new Fault(path, null, 0, 429, null, retryAfterSeconds, false, null, -1, false);
    }

    /** The same fault for submissions to recipients matching {@code regex} only. */
    public Fault forRecipients(String regex) {
        return new Fault(path, regex, delayMillis, status, body, retryAfter, reset, emailStatus, times, taken);
    }

    /** The same fault for the next {@code count} matching calls only. */
    public Fault times(int count) {
        return new Fault(path, recipient, delayMillis, status, body, retryAfter, reset, emailStatus, count, taken);
    }

    /** The same fault with a JSON {@code body}. */
    public Fault withBody(String json) {
        return new Fault(path, recipient, delayMillis, status, json, retryAfter, reset, emailStatus, times, taken);
    }

    /** The same fault, {@code millis} later. */
    public Fault delayed(long millis) {
        return new Fault(path, recipient, millis, status, body, retryAfter, reset, emailStatus, times, taken);
    }

    /** The same fault, after the sandbox took the submission: the message is kept, the answer is the fault's. */
    public Fault afterTaking() {
        return new Fault(path, recipient, delayMillis, status, body, retryAfter, reset, emailStatus, times, true);
    }

    /** Answers submissions with 201 and {@code data.status = status}. */
    public static Fault emailStatus(String status) {
        return new Fault("/v2/emails", null, 0, 0, null, null, false, status, -1, false);
    }

    boolean matches(String requestPath, String email) {
        boolean pathMatches = path == null || path.equals("*") || requestPath.startsWith(path);
        return pathMatches
                && (recipient == null
                        || email != null
                                && Pattern.compile(recipient).matcher(email).find());
    }
}
