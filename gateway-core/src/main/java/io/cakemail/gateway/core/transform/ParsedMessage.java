package io.cakemail.gateway.core.transform;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import io.cakemail.gateway.core.memory.MessageMemory;
import io.cakemail.gateway.core.mime.HeaderField;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Everything a message contributes to its submissions, before the sender is resolved. Bodies are kept in the form
 * the JSON needs: the content of a JSON string, UTF-8 and escaped, without its quotes. Owns the bodies' and the
 * attachments' buffers, and a reference to the message's memory, which they are charged to: {@link #release()} when
 * done.
 *
 * @param subject the decoded Subject
 * @param textJson the text body (line breaks as {@code \n}) as the content of a JSON string, or {@code null}
 * @param htmlJson the HTML body (line breaks as {@code \n}) as the content of a JSON string, or {@code null}
 * @param attachments the attachments, in message order
 * @param additionalHeaders the headers to forward
 * @param tags the tags from the control headers, sanitised, in order of appearance
 * @param tracking tracking choices from the control headers
 * @param listId {@code X-List-Id}, or {@code null}
 * @param accountId {@code X-Account-Id}, or {@code null}
 * @param emailType {@code X-Email-Api-Type}, or {@code null} for the configured default
 * @param senderId {@code X-Sender-Id}, or {@code null}
 * @param from the From mailbox
 * @param messageId the Message-ID header as written, or {@code null}
 * @param headers every header field of the message itself, as written: with the content, what tells one message
 *     from another composed apart (its {@code Date}, its {@code Message-ID}), and a retry from the first try
 * @param doNotDeliver the header that asked for the message to be checked and not delivered
 *     ({@code X-Mailgun-Drop-Message}, {@code X-Sib-Sandbox}), as written, or {@code null}
 * @param metadata the sender's own metadata from the providers' metadata headers, by key: kept with the message's
 *     record, never sent
 * @param memory the message's share of the memory budget
 */
public record ParsedMessage(
        String subject,
        ByteBuf textJson,
        ByteBuf htmlJson,
        List<Attachment> attachments,
        List<HeaderField> additionalHeaders,
        List<String> tags,
        Tracking tracking,
        Long listId,
        Long accountId,
        String emailType,
        String senderId,
        Mailbox from,
        String messageId,
        List<HeaderField> headers,
        String doNotDeliver,
        Map<String, String> metadata,
        MessageMemory memory) {

    private static final JsonFactory JSON = new JsonFactory();

    /** The text body, or {@code null}. */
    public String text() {
        return unescaped(textJson);
    }

    /** The HTML body, or {@code null}. */
    public String html() {
        return unescaped(htmlJson);
    }

    private static String unescaped(ByteBuf json) {
        if (json == null) {
            return null;
        }
        try (JsonParser parser = JSON.createParser('"' + json.toString(StandardCharsets.UTF_8) + '"')) {
            parser.nextToken();
            return parser.getText();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Releases the bodies' and the attachments' buffers, and this message's reference to its memory. */
    public void release() {
        if (textJson != null) {
            textJson.release();
        }
        if (htmlJson != null) {
            htmlJson.release();
        }
        for (Attachment attachment : attachments) {
            attachment.base64().release();
        }
        memory.release();
    }
}
