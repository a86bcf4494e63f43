package io.cakemail.gateway.core.mime;

/**
 * The bounds of one parse, in the spirit of mime4j's {@code MimeConfig}. A message that exceeds one is refused
 * with a reason naming the limit, never parsed further.
 *
 * @param maxDepth deepest multipart nesting (the message itself is depth 0)
 * @param maxParts most parts, containers included
 * @param maxHeaderCount most header fields in one part's header block
 * @param maxHeaderBytes largest header block of one part, in octets
 * @param maxAttachmentSize largest decoded attachment, in octets
 * @param maxTotalDecodedSize largest decoded content of the whole message (bodies and attachments), in octets
 */
public record MimeLimits(
        int maxDepth,
        int maxParts,
        int maxHeaderCount,
        int maxHeaderBytes,
        long maxAttachmentSize,
        long maxTotalDecodedSize) {

    /** 10 levels, 500 parts, 1,000 fields and 256 KiB of header per part, 10 MiB per attachment, 25 MiB in all. */
    public static final MimeLimits DEFAULT =
            new MimeLimits(10, 500, 1000, 256 * 1024, 10L * 1024 * 1024, 25L * 1024 * 1024);

    public MimeLimits {
        positive("maxDepth", maxDepth);
        positive("maxParts", maxParts);
        positive("maxHeaderCount", maxHeaderCount);
        positive("maxHeaderBytes", maxHeaderBytes);
        positive("maxAttachmentSize", maxAttachmentSize);
        positive("maxTotalDecodedSize", maxTotalDecodedSize);
    }

    private static void positive(String name, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: > 0)");
        }
    }
}
