package io.cakemail.gateway.core.transform;

import io.cakemail.gateway.core.mime.ContentType;
import io.cakemail.gateway.core.mime.HeaderParameters;
import io.cakemail.gateway.core.mime.MimeHeaders;
import java.util.Set;

/**
 * What becomes of one leaf part, from its headers, the multiparts around it and the configuration, and nothing else:
 * body text, an attachment (maybe an inline image to embed), a part left out (and why), or a refusal of the message.
 * Every {@code text/plain} or {@code text/html} leaf without a filename and not marked
 * {@code Content-Disposition: attachment} is body text; every other leaf is an attachment, mapped by
 * {@link AttachmentTypes}. The signature part of a {@code multipart/signed} is left out (the API composes a new
 * message, which the signature could not verify). Images with a {@code Content-ID} inside {@code multipart/related}
 * follow {@link TransformConfig.InlineImages}.
 */
final class PartPolicy {

    private static final Set<String> SIGNATURE_TYPES =
            Set.of("application/pkcs7-signature", "application/x-pkcs7-signature", "application/pgp-signature");

    /** What the part becomes. */
    sealed interface Plan {
        /** Body text, HTML or not, in {@code charset}; another rendition of the same content inside an alternative. */
        record Text(boolean html, String charset, boolean insideAlternative) implements Plan {}

        /**
         * An attachment: {@code name} for messages, {@code apiType} {@code null} when the API cannot carry it (known
         * only to be refused unless the HTML embeds it), {@code contentId} set for an inline image to embed.
         */
        record Attach(String name, String filename, String apiType, String mediaType, String contentId)
                implements Plan {}

        /** Left out; {@code why} is logged, at WARN when {@code warn}. */
        record LeaveOut(String why, boolean warn) implements Plan {}

        /** The message is refused. */
        record Refuse(Refusal refusal) implements Plan {}
    }

    private PartPolicy() {}

    /** The plan for a leaf with {@code headers}, inside multiparts that are {@code signed} or {@code related}. */
    static Plan of(
            MimeHeaders headers, boolean signed, boolean related, boolean insideAlternative, TransformConfig config) {
        ContentType type = headers.contentType();
        String mediaType = type.mediaType();
        HeaderParameters disposition = headers.disposition();
        boolean markedAttachment = disposition != null && disposition.value().equals("attachment");
        String filename = headers.filename();
        if (signed && SIGNATURE_TYPES.contains(mediaType)) {
            return new Plan.LeaveOut(
                    "Leaving out the " + mediaType + " part of a multipart/signed message: the API composes a new"
                            + " message",
                    false);
        }
        if (!markedAttachment && filename == null && (type.is("text", "plain") || type.is("text", "html"))) {
            return new Plan.Text(type.is("text", "html"), type.parameter("charset"), insideAlternative);
        }
        String apiType = AttachmentTypes.typeOf(mediaType, filename);
        String contentId = headers.contentId();
        boolean inline = related && contentId != null && type.type().equals("image") && !markedAttachment;
        String name = filename != null ? filename : describe(null, mediaType);
        if (inline && config.inlineImages() == TransformConfig.InlineImages.DATA_URI) {
            return new Plan.Attach(name, filename, apiType, mediaType, contentId);
        }
        if (inline && config.inlineImages() == TransformConfig.InlineImages.REFUSE) {
            return new Plan.Refuse(Refusal.unsupportedMedia("inline image " + describe(filename, mediaType)
                    + " cannot be sent: this gateway is configured to refuse inline images"));
        }
        if (apiType == null) {
            if (config.unsupportedAttachments() == TransformConfig.UnsupportedAttachments.OMIT) {
                return new Plan.LeaveOut(
                        "Omitting attachment " + describe(filename, mediaType)
                                + ": the Cakemail API does not accept it",
                        true);
            }
            return new Plan.Refuse(unsupported(filename, mediaType));
        }
        return new Plan.Attach(name, filename, apiType, mediaType, null);
    }

    /** The refusal of an attachment the API cannot carry. */
    static Refusal unsupported(String filename, String mediaType) {
        return Refusal.unsupportedMedia("attachment " + describe(filename, mediaType)
                + " cannot be sent through the Cakemail API; supported: "
                + AttachmentTypes.SUPPORTED);
    }

    private static String describe(String filename, String mediaType) {
        return (filename == null ? "(unnamed)" : "'" + filename + "'") + " (" + mediaType + ")";
    }
}
