package io.cakemail.gateway.core.submission;

import io.cakemail.gateway.core.mime.HeaderField;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Everything a message contributes to its submissions, before the sender is resolved. Bodies are kept as UTF-8
 * bytes, the form the JSON needs. Owns the attachments' buffers: {@link #release()} when done.
 *
 * @param subject the decoded Subject
 * @param textUtf8 the text body in UTF-8, line breaks as {@code \n}, or {@code null}
 * @param htmlUtf8 the HTML body in UTF-8, line breaks as {@code \n}, or {@code null}
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
 */
public record ParsedMessage(String subject, byte[] textUtf8, byte[] htmlUtf8, List<Attachment> attachments,
                            List<HeaderField> additionalHeaders, List<String> tags, Tracking tracking, Long listId,
                            Long accountId, String emailType, String senderId, Mailbox from, String messageId) {

    /** The text body, or {@code null}. */
    public String text() {
        return textUtf8 == null ? null : new String(textUtf8, StandardCharsets.UTF_8);
    }

    /** The HTML body, or {@code null}. */
    public String html() {
        return htmlUtf8 == null ? null : new String(htmlUtf8, StandardCharsets.UTF_8);
    }

    /** Releases the attachments' buffers. */
    public void release() {
        for (Attachment attachment : attachments) {
            attachment.base64().release();
        }
    }
}
