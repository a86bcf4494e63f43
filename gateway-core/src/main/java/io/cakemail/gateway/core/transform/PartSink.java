package io.cakemail.gateway.core.transform;

import io.cakemail.gateway.core.json.Base64Encoder;
import io.cakemail.gateway.core.memory.ChunkedBuffer;
import io.cakemail.gateway.core.memory.MessageMemory;
import io.netty.buffer.ByteBuf;

/**
 * Where the decoded content of one leaf goes ({@link PartPolicy} chooses): body text, collected and turned into the
 * content of a JSON string; an attachment, base64-encoded as it is decoded so only the encoded form is ever held; or
 * nothing. A sink owns what it has buffered until {@link #end}, which hands it to the message's
 * {@link MessageContent}, or {@link #discard}.
 */
sealed interface PartSink extends OpenPart permits PartSink.BodyPart, PartSink.AttachmentPart, PartSink.Discarded {

    void write(ByteBuf decoded);

    /** The part is complete: what it buffered goes to the message, or is released if this throws. */
    void end();

    /** Releases what was buffered, when the message is abandoned. */
    void discard();

    /** What a sink needs of its message. */
    interface Context {
        MessageMemory memory();

        TransformConfig config();

        MessageContent content();

        /** Refuses the message. */
        void refuse(Refusal refusal);

        /** The number of the next part without a name of its own. */
        int nextUnnamed();
    }

    /** A leaf whose content is dropped: a signature, an omitted attachment, or one refused already. */
    final class Discarded implements PartSink {
        static final Discarded INSTANCE = new Discarded();

        @Override
        public void write(ByteBuf decoded) {}

        @Override
        public void end() {}

        @Override
        public void discard() {}
    }

    /** A body part: collected, then turned into the content of a JSON string. */
    final class BodyPart implements PartSink {
        private final Context message;
        private final boolean isHtml;
        private final boolean insideAlternative;
        private final BodyText body;

        BodyPart(Context message, boolean isHtml, String charset, boolean insideAlternative) {
            this.message = message;
            this.isHtml = isHtml;
            this.insideAlternative = insideAlternative;
            this.body = new BodyText(message.memory(), charset);
        }

        @Override
        public void write(ByteBuf decoded) {
            body.write(decoded);
        }

        @Override
        public void end() {
            long maxJsonSize = message.config().maxJsonSize();
            message.content()
                    .body(
                            isHtml,
                            body.finishAsJson(maxJsonSize - message.content().encodedSize(), maxJsonSize),
                            insideAlternative);
        }

        @Override
        public void discard() {
            body.release();
        }
    }

    /** An attachment: base64-encoded as it is decoded, so only the encoded form is ever held. */
    final class AttachmentPart implements PartSink {
        private final Context message;
        private final PartPolicy.Plan.Attach plan;
        private final Base64Encoder encoder = new Base64Encoder();
        private final ChunkedBuffer base64;
        private long size;

        AttachmentPart(Context message, PartPolicy.Plan.Attach plan) {
            this.message = message;
            this.plan = plan;
            this.base64 = new ChunkedBuffer(message.memory());
        }

        @Override
        public void write(ByteBuf decoded) {
            size += decoded.readableBytes();
            TransformConfig config = message.config();
            if (size > config.limits().maxAttachmentSize()) {
                message.refuse(Refusal.tooLarge("attachment '" + plan.name() + "' is larger than "
                        + config.limits().maxAttachmentSize() + " octets"));
                return;
            }
            encoder.encode(decoded, base64);
            if (message.content().encodedSize() + base64.size() > config.maxJsonSize()) {
                message.refuse(MessageTransformer.jsonTooLarge(config.maxJsonSize()));
            }
        }

        @Override
        public void end() {
            encoder.finish(base64);
            long encoded = base64.size();
            String apiType = plan.apiType();
            String fallback = (plan.contentId() != null || plan.mediaType().startsWith("image/")
                            ? "image-"
                            : apiType != null && apiType.equals("calendar") ? "invite-" : "attachment-")
                    + message.nextUnnamed();
            String apiName =
                    apiType == null ? plan.filename() : AttachmentTypes.filename(plan.filename(), apiType, fallback);
            Attachment attachment = new Attachment(apiName, apiType, base64.finish());
            if (!message.content().attachment(attachment, encoded, plan.contentId(), plan.mediaType())) {
                message.refuse(PartPolicy.unsupported(plan.filename(), plan.mediaType()));
            }
        }

        @Override
        public void discard() {
            base64.release();
        }
    }
}
