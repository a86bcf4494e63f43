package io.cakemail.gateway.core.api;

import io.cakemail.gateway.core.transform.Refusal;
import java.util.List;

/**
 * The end of a message's hand-over to the API.
 */
public sealed interface Delivery {

    /** The sender could not be resolved to a confirmed sender of the account; nothing was submitted. */
    record SenderNotConfirmed(String address, SenderDirectory.Status status) implements Delivery {}

    /**
     * The API no longer accepts the login's credentials (a password changed since the session logged in); nothing
     * was submitted, and nothing will be until the client logs in with the current password.
     */
    record CredentialsRefused(String reason) implements Delivery {}

    /** The API could not be asked (sender lookup or login failing); nothing was submitted. */
    record Unavailable(String reason) implements Delivery {}

    /** The message could not be submitted for the reason given (no room in the memory budget, say); nothing was. */
    record NotSent(Refusal refusal) implements Delivery {}

    /**
     * The message asked not to be delivered ({@code header}, such as {@code X-Mailgun-Drop-Message}): it was checked
     * as a real send is (login, sender, content, the JSON written), and not submitted.
     */
    record Checked(String header) implements Delivery {}

    /**
     * Each recipient's outcome, in envelope order.
     *
     * @param recorded whether the recipients the API took (or may have taken) are recorded for the client's retry
     *     of a message with others to try again; when not, the retry may send them again, and the reply must not
     *     promise otherwise
     */
    record Submitted(List<RecipientOutcome> outcomes, boolean recorded) implements Delivery {}
}
