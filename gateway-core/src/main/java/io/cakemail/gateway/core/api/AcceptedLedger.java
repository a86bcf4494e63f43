package io.cakemail.gateway.core.api;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import reactor.core.publisher.Mono;

/**
 * The no-resend ledger: the recipients the API accepted in a message the client was told to try again later, so
 * that the retry does not send to them again. A message is named by its identity: the login, the account and the
 * message's own identity ({@link MessageKey}); recipients are lower-cased. {@link LocalLedger} keeps it in this
 * process; a shared implementation (Redis) lets a retry land on any gateway of a fleet.
 *
 * <p>A lookup that cannot tell fails: the message is then deferred rather than risk sending twice.
 */
public interface AcceptedLedger {

    /**
     * The email ids the API gave to those of {@code recipients} it already accepted for {@code message}; the others
     * are absent. The message's identity is asked for only when needed: working it out hashes the whole message, and
     * most lookups find nothing to look at.
     */
    Mono<Map<String, String>> accepted(Supplier<String> message, List<String> recipients);

    /**
     * Records accepted recipients of {@code message}, with their email ids, for the client's retry; and the sender's
     * {@code metadata} of the message (its providers' metadata headers, never sent), when it has any, beside them.
     */
    Mono<Void> remember(String message, Map<String, String> emailIds, Map<String, String> metadata);

    /** Forgets recipients of {@code message}: its retry went through, and the same message sent again is a new one. */
    Mono<Void> forget(String message, Collection<String> recipients);
}
