package io.cakemail.gateway.core.transform;

import io.cakemail.gateway.core.memory.MessageMemory;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one owner of what a message being transformed keeps: its text and HTML bodies as the content of JSON strings,
 * its attachments, and its inline images waiting to learn whether the HTML references them. A buffer is taken here
 * only once its part is complete, and leaves only to a new owner ({@link #handOver}) or through {@link #releaseAll},
 * the one release path, so a failure from any allocation leaves nothing behind.
 *
 * <p>The first body of each type sets {@code text} or {@code html}; a later one is appended after a line break,
 * unless it sits inside a {@code multipart/alternative}, where it is another rendition of content already taken.
 */
final class MessageContent {

    private static final byte[] NO_TEXT = "(no text)".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ESCAPED_NEWLINE = {'\\', 'n'};

    private final MessageMemory memory;
    private final List<Attachment> attachments = new ArrayList<>();
    private final Map<String, InlineImage> inlineImages = new LinkedHashMap<>();
    /** The text body as the content of a JSON string, or {@code null}. */
    private ByteBuf text;
    /** The HTML body as the content of a JSON string, or {@code null}. */
    private ByteBuf html;
    /** The octets of the finished bodies' JSON and the attachments' base64: the bulk of the API request. */
    private long encodedSize;

    /** An image waiting to learn whether the HTML references it. */
    private record InlineImage(String contentId, String mediaType, Attachment attachment) {}

    /** What leaves for a {@link ParsedMessage}. */
    record HandedOver(ByteBuf text, ByteBuf html, List<Attachment> attachments) {}

    MessageContent(MessageMemory memory) {
        this.memory = memory;
    }

    long encodedSize() {
        return encodedSize;
    }

    /** Takes {@code json}, a body part as the content of a JSON string, as the text or HTML body or a part of it. */
    void body(boolean isHtml, ByteBuf json, boolean insideAlternative) {
        ByteBuf existing = isHtml ? html : text;
        if (!json.isReadable() || existing != null && insideAlternative) {
            json.release();
            return;
        }
        encodedSize += json.readableBytes();
        ByteBuf merged = json;
        if (existing != null) {
            existing.retain(); // if the composite cannot be made, the field still owns it
            merged = memory.composite(existing, Unpooled.wrappedBuffer(ESCAPED_NEWLINE), json);
            existing.release();
        }
        if (isHtml) {
            html = merged;
        } else {
            text = merged;
        }
    }

    /**
     * Takes a finished attachment ({@code size} octets of base64): the first image with a given {@code contentId}
     * waits for the HTML; the others attach. An attachment the API cannot carry that is not such an image is released
     * and the caller refuses the message; whether it was taken.
     */
    boolean attachment(Attachment attachment, long size, String contentId, String mediaType) {
        encodedSize += size;
        if (contentId != null && !inlineImages.containsKey(contentId)) {
            inlineImages.put(contentId, new InlineImage(contentId, mediaType, attachment));
        } else if (attachment.type() != null) {
            attachments.add(attachment); // a second image with the same Content-ID: the HTML shows the first
        } else {
            attachment.base64().release();
            return false;
        }
        return true;
    }

    /**
     * {@code DATA_URI}: each image the HTML references by {@code cid:} moves into the HTML; the others attach. An image
     * leaves the waiting ones only once its buffer has a new owner, so a failure halfway leaves nothing behind.
     * Answers the refusal of an image that can neither move nor attach, or {@code null}.
     */
    Refusal embedInlineImages() {
        for (Iterator<InlineImage> images = inlineImages.values().iterator(); images.hasNext(); ) {
            InlineImage image = images.next();
            ByteBuf spliced = html == null
                    ? null
                    : DataUris.splice(html, image.contentId, image.mediaType, image.attachment.base64(), memory);
            if (spliced != null) {
                html.release();
                html = spliced;
                images.remove();
                image.attachment.base64().release();
            } else if (image.attachment.type() != null) {
                images.remove();
                attachments.add(image.attachment);
            } else {
                return PartPolicy.unsupported(image.attachment.filename(), image.mediaType);
            }
        }
        return null;
    }

    boolean hasBody() {
        return text != null || html != null;
    }

    /** {@code (no text)} as the text body, for a message that has none. */
    void placeholderText() {
        text = Unpooled.wrappedBuffer(NO_TEXT);
    }

    /** Everything kept, now the caller's. */
    HandedOver handOver() {
        HandedOver content = new HandedOver(text, html, List.copyOf(attachments));
        text = null;
        html = null;
        attachments.clear();
        return content;
    }

    /** The one release path of a message that ends without a {@link ParsedMessage}. */
    void releaseAll() {
        if (text != null) {
            text.release();
            text = null;
        }
        if (html != null) {
            html.release();
            html = null;
        }
        attachments.forEach(a -> a.base64().release());
        attachments.clear();
        inlineImages.values().forEach(i -> i.attachment.base64().release());
        inlineImages.clear();
    }
}
