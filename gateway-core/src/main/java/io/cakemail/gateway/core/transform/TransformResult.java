package io.cakemail.gateway.core.transform;

/**
 * The end of a transform: a message ready to submit, or the reason it cannot be.
 */
public sealed interface TransformResult {

    /** The message transformed; the receiver owns it and must release it. */
    record Transformed(ParsedMessage message) implements TransformResult {}

    /** The message cannot go through the API. */
    record Refused(Refusal refusal) implements TransformResult {}
}
