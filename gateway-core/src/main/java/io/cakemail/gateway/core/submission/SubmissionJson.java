package io.cakemail.gateway.core.submission;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.cakemail.gateway.core.mime.HeaderField;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;

/**
 * Writes the {@code SubmitEmail} JSON of a message once, with Jackson's streaming generator, into pooled buffers.
 * Attachment content is not copied: the base64 buffers become components of the result.
 */
public final class SubmissionJson {

    private static final JsonFactory FACTORY = new JsonFactory();

    private SubmissionJson() {
    }

    /**
     * @param senderId the resolved {@code sender.id}
     * @param emailType {@code content.type}: {@code marketing} or {@code transactional}
     * @param listId {@code list_id}, or {@code null} to leave it out
     */
    public static SubmissionBody write(ParsedMessage message, String senderId, String emailType, Long listId,
                                       ByteBufAllocator allocator) {
        SegmentedOutput out = new SegmentedOutput(allocator);
        try (JsonGenerator json = FACTORY.createGenerator(out)) {
            json.writeStartObject();
            json.writeObjectFieldStart("sender");
            json.writeStringField("id", senderId);
            if (message.from().name() != null) {
                json.writeStringField("name", message.from().name());
            }
            json.writeEndObject();
            json.writeObjectFieldStart("content");
            json.writeStringField("subject", message.subject());
            writeUtf8Field(json, "text", message.textUtf8());
            writeUtf8Field(json, "html", message.htmlUtf8());
            json.writeStringField("encoding", "utf-8");
            json.writeStringField("type", emailType);
            json.writeEndObject();
            if (listId != null) {
                json.writeNumberField("list_id", listId);
            }
            if (!message.tags().isEmpty()) {
                json.writeArrayFieldStart("tags");
                for (String tag : message.tags()) {
                    json.writeString(tag);
                }
                json.writeEndArray();
            }
            writeTracking(json, message.tracking());
            if (!message.additionalHeaders().isEmpty()) {
                json.writeArrayFieldStart("additional_headers");
                for (HeaderField header : message.additionalHeaders()) {
                    json.writeStartObject();
                    json.writeStringField("name", header.name());
                    json.writeStringField("value", header.value());
                    json.writeEndObject();
                }
                json.writeEndArray();
            }
            if (!message.attachments().isEmpty()) {
                json.writeArrayFieldStart("attachment");
                for (Attachment attachment : message.attachments()) {
                    json.writeStartObject();
                    json.writeStringField("filename", attachment.filename());
                    json.writeStringField("type", attachment.type());
                    json.writeFieldName("content");
                    json.writeRawValue("\"");  // the generator now counts the value as written
                    json.flush();
                    out.append(attachment.base64());
                    json.writeRaw('"');
                    json.writeEndObject();
                }
                json.writeEndArray();
            }
            json.writeEndObject();
        } catch (IOException e) {
            out.discard();
            throw new UncheckedIOException(e);
        }
        return new SubmissionBody(out.finish(), allocator);
    }

    private static void writeUtf8Field(JsonGenerator json, String name, byte[] utf8) throws IOException {
        if (utf8 != null) {
            json.writeFieldName(name);
            json.writeUTF8String(utf8, 0, utf8.length);
        }
    }

    private static void writeTracking(JsonGenerator json, Tracking tracking) throws IOException {
        if (tracking.isUnset()) {
            return;
        }
        json.writeObjectFieldStart("tracking");
        if (tracking.opens() != null) {
            json.writeBooleanField("opens", tracking.opens());
        }
        if (tracking.clicksHtml() != null) {
            json.writeBooleanField("clicks_html", tracking.clicksHtml());
        }
        if (tracking.clicksText() != null) {
            json.writeBooleanField("clicks_text", tracking.clicksText());
        }
        json.writeEndObject();
    }

    /** Collects generator output in pooled segments, and lets whole buffers in between without copying them. */
    private static final class SegmentedOutput extends OutputStream {
        private static final int SEGMENT = 8192;

        private final ByteBufAllocator allocator;
        private final CompositeByteBuf composite;
        private ByteBuf segment;

        SegmentedOutput(ByteBufAllocator allocator) {
            this.allocator = allocator;
            this.composite = allocator.compositeBuffer(Integer.MAX_VALUE);
            this.segment = allocator.buffer(SEGMENT);
        }

        @Override
        public void write(int b) {
            segment.writeByte(b);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) {
            segment.writeBytes(bytes, offset, length);
        }

        /** Adds a view of {@code buf} (retained) after what was written so far. */
        void append(ByteBuf buf) {
            cut();
            composite.addComponent(true, buf.retainedDuplicate());
        }

        ByteBuf finish() {
            cut();
            segment.release();
            return composite;
        }

        void discard() {
            segment.release();
            composite.release();
        }

        private void cut() {
            if (segment.isReadable()) {
                composite.addComponent(true, segment);
                segment = allocator.buffer(SEGMENT);
            }
        }
    }
}
