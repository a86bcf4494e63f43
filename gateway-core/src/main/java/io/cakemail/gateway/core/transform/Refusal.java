package io.cakemail.gateway.core.transform;

import static java.util.Objects.requireNonNull;

/**
 * Why a message cannot be submitted, in the core's own terms: a kind and one line of reason naming the offending
 * part. The SMTP bridge turns each kind into its reply; every kind is permanent but {@link Kind#NO_ROOM}.
 */
public record Refusal(Kind kind, String reason) {

    /** What is wrong with the message, or with the moment. */
    public enum Kind {
        /** A size limit: the message, a part, its decoded content, its JSON. */
        TOO_LARGE,
        /** No room in the memory budget for the message now; it may fit later. */
        NO_ROOM,
        /** The structure or the headers of the message. */
        BAD_CONTENT,
        /** A media type the API cannot carry. */
        UNSUPPORTED_MEDIA
    }

    public Refusal {
        requireNonNull(kind, "kind");
        requireNonNull(reason, "reason");
    }

    public static Refusal tooLarge(String reason) {
        return new Refusal(Kind.TOO_LARGE, reason);
    }

    /** No room for the message now. */
    public static final Refusal NO_STORAGE =
            insufficientStorage("Insufficient system storage for the message now, try again later");

    /** No room for the message now; the client tries again later. */
    public static Refusal insufficientStorage(String reason) {
        return new Refusal(Kind.NO_ROOM, reason);
    }

    public static Refusal badContent(String reason) {
        return new Refusal(Kind.BAD_CONTENT, reason);
    }

    public static Refusal unsupportedMedia(String reason) {
        return new Refusal(Kind.UNSUPPORTED_MEDIA, reason);
    }
}
