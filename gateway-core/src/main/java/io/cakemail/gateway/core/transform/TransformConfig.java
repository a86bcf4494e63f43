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

    /** A builder starting from {@link #DEFAULT}'s values. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds a {@link TransformConfig}, its MIME limits included: each setter checks its value and names it. */
    public static final class Builder {
        private int maxDepth = DEFAULT.limits().maxDepth();
        private int maxParts = DEFAULT.limits().maxParts();
        private int maxHeaderCount = DEFAULT.limits().maxHeaderCount();
        private int maxHeaderBytes = DEFAULT.limits().maxHeaderBytes();
        private long maxAttachmentSize = DEFAULT.limits().maxAttachmentSize();
        private long maxTotalDecodedSize = DEFAULT.limits().maxTotalDecodedSize();
        private UnsupportedAttachments unsupportedAttachments = DEFAULT.unsupportedAttachments();
        private InlineImages inlineImages = DEFAULT.inlineImages();
        private MissingContent missingContent = DEFAULT.missingContent();
        private long maxJsonSize = DEFAULT.maxJsonSize();

        private Builder() {}

        public Builder maxDepth(int maxDepth) {
            this.maxDepth = (int) positive("maxDepth", maxDepth);
            return this;
        }

        public Builder maxParts(int maxParts) {
            this.maxParts = (int) positive("maxParts", maxParts);
            return this;
        }

        public Builder maxHeaderCount(int maxHeaderCount) {
            this.maxHeaderCount = (int) positive("maxHeaderCount", maxHeaderCount);
            return this;
        }

        /** Octets of one part's header block: a size setting's {@code long}, under 2 GiB. */
        public Builder maxHeaderBytes(long maxHeaderBytes) {
            if (maxHeaderBytes > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("maxHeaderBytes: " + maxHeaderBytes + " (expected: under 2GiB)");
            }
            this.maxHeaderBytes = (int) positive("maxHeaderBytes", maxHeaderBytes);
            return this;
        }

        public Builder maxAttachmentSize(long maxAttachmentSize) {
            this.maxAttachmentSize = positive("maxAttachmentSize", maxAttachmentSize);
            return this;
        }

        public Builder maxTotalDecodedSize(long maxTotalDecodedSize) {
            this.maxTotalDecodedSize = positive("maxTotalDecodedSize", maxTotalDecodedSize);
            return this;
        }

        public Builder unsupportedAttachments(UnsupportedAttachments unsupportedAttachments) {
            this.unsupportedAttachments = requireNonNull(unsupportedAttachments, "unsupportedAttachments");
            return this;
        }

        public Builder inlineImages(InlineImages inlineImages) {
            this.inlineImages = requireNonNull(inlineImages, "inlineImages");
            return this;
        }

        public Builder missingContent(MissingContent missingContent) {
            this.missingContent = requireNonNull(missingContent, "missingContent");
            return this;
        }

        public Builder maxJsonSize(long maxJsonSize) {
            this.maxJsonSize = positive("maxJsonSize", maxJsonSize);
            return this;
        }

        public TransformConfig build() {
            return new TransformConfig(
                    new MimeLimits(
                            maxDepth, maxParts, maxHeaderCount, maxHeaderBytes, maxAttachmentSize, maxTotalDecodedSize),
                    unsupportedAttachments,
                    inlineImages,
                    missingContent,
                    maxJsonSize);
        }

        private static long positive(String name, long value) {
            if (value <= 0) {
                throw new IllegalArgumentException(name + ": " + value + " (expected: > 0)");
            }
            return value;
        }
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
