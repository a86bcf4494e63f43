package io.cakemail.gateway.core.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.cakemail.gateway.core.memory.ChunkedBuffer;
import io.cakemail.gateway.core.mime.HeaderField;
import io.cakemail.gateway.core.transform.Attachment;
import io.cakemail.gateway.core.transform.ParsedMessage;
import io.cakemail.gateway.core.transform.RefusalException;
import io.cakemail.gateway.core.transform.Tracking;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Writes the {@code SubmitEmail} JSON of a message once, with Jackson's streaming generator, into pooled buffers
 * charged to the message's memory. Bodies and attachment content are not copied: their buffers become components
 * of the result.
 */
public final class SubmissionJson {

    private static final JsonFactory FACTORY = new JsonFactory();

    private SubmissionJson() {}

    /**
     * @param senderId the resolved {@code sender.id}
     * @param emailType {@code content.type}: {@code marketing} or {@code transactional}
     * @param listId {@code list_id}, or {@code null} to leave it out
     * @throws RefusalException when the memory budget has no room for it
     */
    public static SubmissionBody write(ParsedMessage message, String senderId, String emailType, Long listId) {
        ChunkedBuffer out = new ChunkedBuffer(message.memory());
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
            writeStringContent(json, out, "text", message.textJson());
            writeStringContent(json, out, "html", message.htmlJson());
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
                    writeStringContent(json, out, "content", attachment.base64());
                    json.writeEndObject();
                }
                json.writeEndArray();
            }
            json.writeEndObject();
        } catch (IOException e) {
            out.release();
            throw new UncheckedIOException(e);
        } catch (Throwable e) {
            out.release();
            throw e;
        }
        return new SubmissionBody(out.finish(), message.memory());
    }

    /** Writes a string field whose value, already escaped, is {@code content} (if not null), without copying it. */
    private static void writeStringContent(JsonGenerator json, ChunkedBuffer out, String name, ByteBuf content)
            throws IOException {
        if (content != null) {
            json.writeFieldName(name);
            json.writeRawValue("\""); // the generator now counts the value as written
            json.flush();
            out.append(content);
            json.writeRaw('"');
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
}
