package io.cakemail.gateway.core.transform;

import static java.util.Objects.requireNonNull;

import io.cakemail.gateway.core.mime.MimeLimits;

/**
 * The limits and the operator-chosen policies of the transformer. {@link #DEFAULT} refuses everything the API
 * cannot carry faithfully.
 *
 * @param limits the MIME parse bounds
 * @param unsupportedAttachments what to do with a part whose type the API does not accept
 * @param inlineImages what to do with images referenced from HTML by {@code cid:}
 * @param missingContent what to do with a message without a Subject, or without a text or HTML body
 * @param maxJsonSize the most octets of encoded content (the JSON strings of the bodies and attachments, which are
 *                    nearly all of an API request) per message
 */
public record TransformConfig(
        MimeLimits limits,
        UnsupportedAttachments unsupportedAttachments,
        InlineImages inlineImages,
        MissingContent missingContent,
        long maxJsonSize) {

    /**
     * 40 MiB. The API documents no request limit; this fits the largest attachments the default limits let through
     * (25 MiB decoded is 33.4 MiB of base64) with room for bodies.
     */
    public static final long DEFAULT_MAX_JSON_SIZE = 40L * 1024 * 1024;

    public static final TransformConfig DEFAULT = new TransformConfig(
            MimeLimits.DEFAULT, UnsupportedAttachments.REFUSE, InlineImages.ATTACH, MissingContent.REFUSE);

    public TransformConfig {
        requireNonNull(limits, "limits");
        requireNonNull(unsupportedAttachments, "unsupportedAttachments");
        requireNonNull(inlineImages, "inlineImages");
        requireNonNull(missingContent, "missingContent");
        if (maxJsonSize <= 0) {
            throw new IllegalArgumentException("maxJsonSize: " + maxJsonSize + " (expected: > 0)");
        }
    }

    /** With the {@linkplain #DEFAULT_MAX_JSON_SIZE default} limit on encoded content. */
    public TransformConfig(
            MimeLimits limits,
            UnsupportedAttachments unsupportedAttachments,
            InlineImages inlineImages,
            MissingContent missingContent) {
        this(limits, unsupportedAttachments, inlineImages, missingContent, DEFAULT_MAX_JSON_SIZE);
    }

    /** A part whose type is not one of the API's attachment types. */
    public enum UnsupportedAttachments {
        /** Refuse the message (an unsupported media type), naming the part and the supported types (default). */
        REFUSE,
        /** Send the message without the part; the omission is logged and counted, never silent. */
        OMIT
    }

    /** A {@code Content-ID} image inside {@code multipart/related}, shown by the HTML through {@code cid:}. */
    public enum InlineImages {
        /** Send it as an ordinary attachment; the HTML keeps its {@code cid:} reference (default). */
        ATTACH,
        /** Embed it in the HTML as a {@code data:} URI (shown by most clients, not by Gmail) and not attach it. */
        DATA_URI,
        /** Refuse the message (an unsupported media type). */
        REFUSE
    }

    /** A message without a Subject, or without a text or HTML body (both required by the API). */
    public enum MissingContent {
        /** Refuse the message (bad content) (default). */
        REFUSE,
        /** Send it with the Subject {@code (no subject)} or the text {@code (no text)}. */
        PLACEHOLDER
    }
}
