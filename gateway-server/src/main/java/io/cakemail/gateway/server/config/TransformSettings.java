package io.cakemail.gateway.server.config;

import io.cakemail.gateway.common.Setting;
import io.cakemail.gateway.common.SettingTable;
import io.cakemail.gateway.core.mime.MimeLimits;
import io.cakemail.gateway.core.transform.TransformConfig;

/** The settings of the MIME parse and the transformer, their defaults {@link TransformConfig#DEFAULT}'s. */
final class TransformSettings {

    private static final TransformConfig DEFAULT = TransformConfig.DEFAULT;
    private static final MimeLimits MIME = DEFAULT.limits();

    static final SettingTable<TransformConfig.Builder> TABLE = SettingTable.<TransformConfig.Builder>of()
            .row(
                    Setting.integer("GATEWAY_MAX_MIME_DEPTH", MIME.maxDepth(), 1, "Deepest multipart nesting"),
                    TransformConfig.Builder::maxDepth)
            .row(
                    Setting.integer("GATEWAY_MAX_MIME_PARTS", MIME.maxParts(), 1, "MIME parts per message"),
                    TransformConfig.Builder::maxParts)
            .row(
                    Setting.integer(
                            "GATEWAY_MAX_HEADER_COUNT", MIME.maxHeaderCount(), 1, "Header fields per MIME part"),
                    TransformConfig.Builder::maxHeaderCount)
            .row(
                    Setting.size("GATEWAY_MAX_HEADER_SIZE", MIME.maxHeaderBytes(), "Octets of header per MIME part"),
                    TransformConfig.Builder::maxHeaderBytes)
            .row(
                    Setting.size(
                            "GATEWAY_MAX_ATTACHMENT_SIZE", MIME.maxAttachmentSize(), "Decoded octets per attachment"),
                    TransformConfig.Builder::maxAttachmentSize)
            .row(
                    Setting.size(
                            "GATEWAY_MAX_DECODED_SIZE",
                            MIME.maxTotalDecodedSize(),
                            "Decoded octets per message, bodies and attachments"),
                    TransformConfig.Builder::maxTotalDecodedSize)
            .row(
                    Setting.size(
                            "GATEWAY_MAX_JSON_SIZE",
                            DEFAULT.maxJsonSize(),
                            "Octets of encoded content per message: escaped bodies and base64 attachments"),
                    TransformConfig.Builder::maxJsonSize)
            .row(
                    Setting.choice(
                            "GATEWAY_UNSUPPORTED_ATTACHMENTS",
                            DEFAULT.unsupportedAttachments(),
                            TransformConfig.UnsupportedAttachments.class,
                            "A part the API cannot carry: refuse (554 5.6.1) or omit (logged)"),
                    TransformConfig.Builder::unsupportedAttachments)
            .row(
                    Setting.choice(
                            "GATEWAY_INLINE_IMAGES",
                            DEFAULT.inlineImages(),
                            TransformConfig.InlineImages.class,
                            "cid: images: attach, data-uri or refuse"),
                    TransformConfig.Builder::inlineImages)
            .row(
                    Setting.choice(
                            "GATEWAY_MISSING_CONTENT",
                            DEFAULT.missingContent(),
                            TransformConfig.MissingContent.class,
                            "No Subject, or no text or HTML: refuse (554 5.6.0) or placeholder"),
                    TransformConfig.Builder::missingContent);

    private TransformSettings() {}
}
