package io.cakemail.gateway.core.transform;

import static java.util.Objects.requireNonNull;

import io.cakemail.gateway.common.SessionLog;
import io.cakemail.gateway.core.json.Base64Encoder;
import io.cakemail.gateway.core.memory.ChunkedBuffer;
import io.cakemail.gateway.core.memory.MemoryBudget;
import io.cakemail.gateway.core.memory.MessageMemory;
import io.cakemail.gateway.core.mime.ContentType;
import io.cakemail.gateway.core.mime.EncodedWords;
import io.cakemail.gateway.core.mime.HeaderField;
import io.cakemail.gateway.core.mime.HeaderParameters;
import io.cakemail.gateway.core.mime.MimeHeaders;
import io.cakemail.gateway.core.mime.MimeParser;
import io.cakemail.gateway.core.mime.MimeViolation;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns one message, fed in chunks as it arrives, into a {@link ParsedMessage} or a {@link Refusal}.
 *
 * <p>Which part is the body: every {@code text/plain} or {@code text/html} leaf without a filename and not marked
 * {@code Content-Disposition: attachment} is body text. The first of each type sets {@code text} or {@code html};
 * a later one is appended after a line break, unless it sits inside a {@code multipart/alternative}, where it is
 * another rendition of content already taken. Every other leaf is an attachment, mapped by {@link AttachmentTypes};
 * {@code text/calendar} invitations become {@code calendar} attachments. Line breaks in bodies become {@code \n}. The signature part of a
 * {@code multipart/signed} is left out (the API composes a new message, which the signature could not verify), and
 * the omission is logged. Images with a {@code Content-ID} inside {@code multipart/related} follow
 * {@link TransformConfig.InlineImages}.
 *
 * <p>Content is charged to the message's {@link MessageMemory} as it is buffered. A message that finds no room in the
 * memory budget, or whose encoded content grows past {@link TransformConfig#maxJsonSize}, is refused at once (its
 * content is then only consumed); so is one whose allocation fails outright. Every buffer has one owner at every
 * step, so a refusal from any allocation, however deep, leaves nothing behind.
 *
 * <p>It is one piece, larger than most classes here, because it is the single owner of a message's buffers: the part
 * sinks below hand what they buffer to it, and {@link #releaseAll()} is the one release path on every failure.
 * Splitting the sinks out would spread that ownership across classes.
 *
 * <p>Not thread-safe; one instance per message. Either {@link #finish()} or {@link #close()} ends it.
 */
public final class MessageTransformer implements AutoCloseable {

    private static final SessionLog log = SessionLog.of(MessageTransformer.class);
    private static final Set<String> SIGNATURE_TYPES =
            Set.of("application/pkcs7-signature", "application/x-pkcs7-signature", "application/pgp-signature");
    private static final String NO_SUBJECT = "(no subject)";
    private static final byte[] NO_TEXT = "(no text)".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ESCAPED_NEWLINE = {'\\', 'n'};

    private final TransformConfig config;
    private final MessageMemory memory;
    /** {@code null} if it could not be made: the message is then refused from the start. */
    private final MimeParser parser;
    /** The parts opened and not yet ended, innermost first. */
    private final Deque<OpenPart> open = new ArrayDeque<>();

    private final List<Attachment> attachments = new ArrayList<>();
    private final Map<String, InlineImage> inlineImages = new LinkedHashMap<>();

    private Refusal refusal;
    private long decodedSize;
    /** The octets of the finished bodies' JSON and the attachments' base64: the bulk of the API request. */
    private long encodedSize;

    private int unnamedParts;
    private String subject;
    private Mailbox from = new Mailbox(null, null);
    private String messageId;
    private ControlHeaders control;
    private List<HeaderField> additionalHeaders = List.of();
    /** The message's own header fields, for its identity. */
    private List<HeaderField> headers = List.of();
    /** The text body as the content of a JSON string, or {@code null}. */
    private ByteBuf text;
    /** The HTML body as the content of a JSON string, or {@code null}. */
    private ByteBuf html;

    private PartSink current;
    private boolean ended;

    /** A transformer whose content is not charged to any budget. */
    public MessageTransformer(TransformConfig config, ByteBufAllocator allocator) {
        this(config, MessageMemory.unlimited(requireNonNull(allocator, "allocator")));
    }

    /** @param memory the message's share of the memory budget, which this transformer now owns */
    public MessageTransformer(TransformConfig config, MessageMemory memory) {
        this.config = requireNonNull(config, "config");
        this.memory = requireNonNull(memory, "memory");
        MimeParser made = null;
        try {
            made = new MimeParser(config.limits(), new Parts(), memory.allocator());
        } catch (OutOfMemoryError e) {
            allocationFailed(e);
        }
        this.parser = made;
    }

    /** Too large: encoded content past {@code limit} octets. */
    public static Refusal jsonTooLarge(long limit) {
        return Refusal.tooLarge("the message's bodies and attachments are larger than " + limit
                + " octets once encoded for the Cakemail API");
    }

    /** The next chunk of the message (dot-unstuffed SMTP content). The chunk is read, not retained. */
    public void feed(ByteBuf chunk) {
        if (!ended && refusal == null) {
            try {
                parser.feed(chunk);
            } catch (RefusalException e) {
                refuse(e.refusal());
            } catch (OutOfMemoryError e) {
                allocationFailed(e);
            }
        }
    }

    /** The message is complete. Call once. */
    public TransformResult finish() {
        if (ended) {
            throw new IllegalStateException("finish() or close() was called already");
        }
        try {
            if (refusal == null) {
                parser.finish();
            }
            if (refusal == null) {
                completeContent();
            }
        } catch (RefusalException e) {
            refuse(e.refusal());
        } catch (OutOfMemoryError e) {
            allocationFailed(e);
        }
        ended = true;
        closeParser();
        if (refusal != null) {
            releaseAll();
            memory.release();
            return new TransformResult.Refused(refusal);
        }
        ParsedMessage message = new ParsedMessage(
                subject,
                text,
                html,
                List.copyOf(attachments),
                additionalHeaders,
                List.copyOf(control.tags),
                control.tracking,
                control.listId,
                control.accountId,
                control.emailType,
                control.senderId,
                from,
                messageId,
                headers,
                control.doNotDeliver,
                Collections.unmodifiableMap(control.metadata),
                memory);
        text = null;
        html = null;
        attachments.clear();
        return new TransformResult.Transformed(message);
    }

    /** Abandons the message, releasing what it holds. Does nothing after {@link #finish()}. */
    @Override
    public void close() {
        if (!ended) {
            ended = true;
            closeParser();
            releaseAll();
            memory.release();
        }
    }

    private void closeParser() {
        if (parser != null) {
            parser.close();
        }
    }

    private void allocationFailed(OutOfMemoryError e) {
        refuse(MemoryBudget.allocationFailed(memory.session(), e));
    }

    private void completeContent() {
        if (subject == null || subject.isBlank()) {
            if (config.missingContent() == TransformConfig.MissingContent.REFUSE) {
                refuse(Refusal.badContent("the message has no Subject, which the Cakemail API requires"));
                return;
            }
            subject = NO_SUBJECT;
        }
        embedInlineImages();
        if (text == null && html == null) {
            if (config.missingContent() == TransformConfig.MissingContent.REFUSE) {
                refuse(Refusal.badContent("the message has no text or HTML body, which the Cakemail API requires"));
                return;
            }
            text = Unpooled.wrappedBuffer(NO_TEXT);
        }
    }

    /**
     * {@code DATA_URI}: each image the HTML references by {@code cid:} moves into the HTML; the others attach. An image
     * leaves {@link #inlineImages} only once its buffer has a new owner, so a failure halfway leaves nothing behind.
     */
    private void embedInlineImages() {
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
                refuse(unsupported(image.attachment.filename(), image.mediaType));
                return;
            }
        }
    }

    private void refuse(Refusal why) {
        if (refusal == null) {
            refusal = why;
            if (parser != null) {
                parser.stop();
            }
            releaseAll();
        }
    }

    /**
     * The one release path of a message that ends without a {@link ParsedMessage}: everything the transformer owns
     * at that moment (the bodies, the open parts' buffers, the attachments, the inline images waiting) is released.
     */
    private void releaseAll() {
        current = null;
        releaseBodies();
        for (OpenPart part : open) {
            if (part instanceof PartSink sink) {
                sink.discard();
            }
        }
        open.clear();
        attachments.forEach(a -> a.base64().release());
        attachments.clear();
        inlineImages.values().forEach(i -> i.attachment.base64().release());
        inlineImages.clear();
    }

    private void messageHeaders(MimeHeaders headers) {
        String rawSubject = headers.value("Subject");
        subject = rawSubject == null
                ? null
                : HeaderText.printable(EncodedWords.decode(rawSubject)).trim();
        from = Mailbox.parse(headers.value("From"));
        messageId = headers.value("Message-ID");
        this.headers = headers.fields();
        additionalHeaders = ForwardedHeaders.select(headers.fields());
        try {
            control = ControlHeaders.read(headers.fields());
        } catch (ControlHeaders.InvalidHeaderException e) {
            refuse(Refusal.badContent(e.getMessage()));
        }
    }

    private PartSink leaf(MimeHeaders headers, Container parent) {
        ContentType type = headers.contentType();
        String mediaType = type.mediaType();
        HeaderParameters disposition = headers.disposition();
        boolean markedAttachment = disposition != null && disposition.value().equals("attachment");
        String filename = headers.filename();
        if (parent != null && parent.signed && SIGNATURE_TYPES.contains(mediaType)) {
            log.info(
                    memory.session(),
                    "Leaving out the {} part of a multipart/signed message: the API composes a new message",
                    mediaType);
            return DiscardedPart.INSTANCE;
        }
        if (!markedAttachment && filename == null && (type.is("text", "plain") || type.is("text", "html"))) {
            return new TextSink(
                    type.is("text", "html"), type.parameter("charset"), parent != null && parent.insideAlternative);
        }
        String apiType = AttachmentTypes.typeOf(mediaType, filename);
        String contentId = headers.contentId();
        boolean inline = parent != null
                && parent.related
                && contentId != null
                && type.type().equals("image")
                && !markedAttachment;
        if (inline && config.inlineImages() == TransformConfig.InlineImages.DATA_URI) {
            return new AttachmentSink(displayName(filename, mediaType), filename, apiType, mediaType, contentId);
        }
        if (inline && config.inlineImages() == TransformConfig.InlineImages.REFUSE) {
            refuse(Refusal.unsupportedMedia("inline image " + describe(filename, mediaType)
                    + " cannot be sent: this gateway is configured to refuse inline images"));
            return DiscardedPart.INSTANCE;
        }
        if (apiType == null) {
            if (config.unsupportedAttachments() == TransformConfig.UnsupportedAttachments.OMIT) {
                log.warn(
                        memory.session(),
                        "Omitting attachment {}: the Cakemail API does not accept it",
                        describe(filename, mediaType));
                return DiscardedPart.INSTANCE;
            }
            refuse(unsupported(filename, mediaType));
            return DiscardedPart.INSTANCE;
        }
        return new AttachmentSink(displayName(filename, mediaType), filename, apiType, mediaType, null);
    }

    private static Refusal unsupported(String filename, String mediaType) {
        return Refusal.unsupportedMedia("attachment " + describe(filename, mediaType)
                + " cannot be sent through the Cakemail API; supported: "
                + AttachmentTypes.SUPPORTED);
    }

    private static String describe(String filename, String mediaType) {
        return (filename == null ? "(unnamed)" : "'" + filename + "'") + " (" + mediaType + ")";
    }

    private String displayName(String filename, String mediaType) {
        return filename != null ? filename : describe(null, mediaType);
    }

    /** Takes {@code json}, a body part as the content of a JSON string, as the text or HTML body or a part of it. */
    private void bodyText(boolean isHtml, ByteBuf json, boolean insideAlternative) {
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

    private void releaseBodies() {
        if (text != null) {
            text.release();
            text = null;
        }
        if (html != null) {
            html.release();
            html = null;
        }
    }

    /** What the parser reports, routed to the part sinks. */
    private final class Parts implements MimeParser.Handler {

        @Override
        public void startPart(MimeHeaders headers, int depth) {
            if (refusal != null) {
                return;
            }
            if (depth == 0) {
                messageHeaders(headers);
                if (refusal != null) {
                    return;
                }
            }
            Container parent = open.peek() instanceof Container container ? container : null;
            ContentType type = headers.contentType();
            if (type.isMultipart()) {
                open.push(new Container(type.subtype(), parent));
                current = null;
            } else {
                current = leaf(headers, parent);
                open.push(current);
            }
        }

        @Override
        public void content(ByteBuf decoded) {
            if (refusal != null || current == null) {
                return;
            }
            decodedSize += decoded.readableBytes();
            if (decodedSize > config.limits().maxTotalDecodedSize()) {
                refuse(Refusal.tooLarge("the message's decoded content is larger than "
                        + config.limits().maxTotalDecodedSize() + " octets"));
                return;
            }
            current.write(decoded);
        }

        @Override
        public void endPart() {
            if (refusal != null || open.isEmpty()) {
                return;
            }
            OpenPart part = open.pop();
            if (part instanceof PartSink sink) {
                current = null;
                try {
                    sink.end();
                } catch (Throwable e) {
                    sink.discard();
                    throw e;
                }
            }
        }

        @Override
        public void violation(MimeViolation violation) {
            refuse(
                    violation.sizeLimit()
                            ? Refusal.tooLarge(violation.reason())
                            : Refusal.badContent(violation.reason()));
        }
    }

    /** A part the parser has opened and not ended: a multipart, or a leaf whose content has somewhere to go. */
    private sealed interface OpenPart permits Container, PartSink {}

    /** An open multipart and what it means for the parts inside. */
    private static final class Container implements OpenPart {
        final boolean insideAlternative;
        final boolean related;
        final boolean signed;

        Container(String subtype, Container parent) {
            insideAlternative = subtype.equals("alternative") || parent != null && parent.insideAlternative;
            related = subtype.equals("related");
            signed = subtype.equals("signed");
        }
    }

    /** Where the decoded content of one leaf goes; it owns what it has buffered until {@link #end}. */
    private sealed interface PartSink extends OpenPart permits TextSink, AttachmentSink, DiscardedPart {
        void write(ByteBuf decoded);

        /** The part is complete: what it buffered goes to the message, or is released if this throws. */
        void end();

        /** Releases what was buffered, when the message is abandoned. */
        void discard();
    }

    /** A leaf whose content is dropped: a signature, an omitted attachment, or one refused already. */
    private static final class DiscardedPart implements PartSink {
        static final DiscardedPart INSTANCE = new DiscardedPart();

        @Override
        public void write(ByteBuf decoded) {}

        @Override
        public void end() {}

        @Override
        public void discard() {}
    }

    /** A body part: collected, then turned into the content of a JSON string. */
    private final class TextSink implements PartSink {
        private final boolean isHtml;
        private final boolean insideAlternative;
        private final BodyText body;

        TextSink(boolean isHtml, String charset, boolean insideAlternative) {
            this.isHtml = isHtml;
            this.insideAlternative = insideAlternative;
            this.body = new BodyText(memory, charset);
        }

        @Override
        public void write(ByteBuf decoded) {
            body.write(decoded);
        }

        @Override
        public void end() {
            bodyText(
                    isHtml,
                    body.finishAsJson(config.maxJsonSize() - encodedSize, config.maxJsonSize()),
                    insideAlternative);
        }

        @Override
        public void discard() {
            body.release();
        }
    }

    /** An attachment: base64-encoded as it is decoded, so only the encoded form is ever held. */
    private final class AttachmentSink implements PartSink {
        private final String name;
        private final String filename;
        private final String apiType;
        private final String mediaType;
        private final String contentId;
        private final Base64Encoder encoder = new Base64Encoder();
        private final ChunkedBuffer base64 = new ChunkedBuffer(memory);
        private long size;

        AttachmentSink(String name, String filename, String apiType, String mediaType, String contentId) {
            this.name = name;
            this.filename = filename;
            this.apiType = apiType;
            this.mediaType = mediaType;
            this.contentId = contentId;
        }

        @Override
        public void write(ByteBuf decoded) {
            size += decoded.readableBytes();
            if (size > config.limits().maxAttachmentSize()) {
                refuse(Refusal.tooLarge("attachment '" + name + "' is larger than "
                        + config.limits().maxAttachmentSize() + " octets"));
                return;
            }
            encoder.encode(decoded, base64);
            if (encodedSize + base64.size() > config.maxJsonSize()) {
                refuse(jsonTooLarge(config.maxJsonSize()));
            }
        }

        @Override
        public void end() {
            encoder.finish(base64);
            encodedSize += base64.size();
            String fallback = (contentId != null || mediaType.startsWith("image/")
                            ? "image-"
                            : apiType != null && apiType.equals("calendar") ? "invite-" : "attachment-")
                    + ++unnamedParts;
            String apiName = apiType == null ? filename : AttachmentTypes.filename(filename, apiType, fallback);
            Attachment attachment = new Attachment(apiName, apiType, base64.finish());
            if (contentId != null && !inlineImages.containsKey(contentId)) {
                inlineImages.put(contentId, new InlineImage(contentId, mediaType, attachment));
            } else if (apiType != null) {
                attachments.add(attachment); // a second image with the same Content-ID: the HTML shows the first
            } else {
                attachment.base64().release();
                refuse(unsupported(filename, mediaType));
            }
        }

        @Override
        public void discard() {
            base64.release();
        }
    }

    /** An image waiting to learn whether the HTML references it. */
    private record InlineImage(String contentId, String mediaType, Attachment attachment) {}
}
