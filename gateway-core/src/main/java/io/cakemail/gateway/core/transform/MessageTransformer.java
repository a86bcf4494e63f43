package io.cakemail.gateway.core.transform;

import static java.util.Objects.requireNonNull;

import io.cakemail.gateway.common.SessionLog;
import io.cakemail.gateway.core.memory.MemoryBudget;
import io.cakemail.gateway.core.memory.MessageMemory;
import io.cakemail.gateway.core.mime.ContentType;
import io.cakemail.gateway.core.mime.MimeHeaders;
import io.cakemail.gateway.core.mime.MimeParser;
import io.cakemail.gateway.core.mime.MimeViolation;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.List;

/**
 * Turns one message, fed in chunks as it arrives, into a {@link ParsedMessage} or a {@link Refusal}.
 *
 * <p>It routes what the parser reports: the message's own headers to {@link ControlHeaders} and
 * {@link ForwardedHeaders}, each leaf to the sink {@link PartPolicy} chooses for it (body text, an attachment, nothing),
 * and each finished part to {@link MessageContent}, the one owner of what the message keeps. Line breaks in bodies
 * become {@code \n}.
 *
 * <p>Content is charged to the message's {@link MessageMemory} as it is buffered. A message that finds no room in the
 * memory budget, or whose encoded content grows past {@link TransformConfig#maxJsonSize}, is refused at once (its
 * content is then only consumed); so is one whose allocation fails outright. Every buffer has one owner at every
 * step, so a refusal from any allocation, however deep, leaves nothing behind.
 *
 * <p>Not thread-safe; one instance per message. Either {@link #finish()} or {@link #close()} ends it.
 */
public final class MessageTransformer implements AutoCloseable {

    private static final SessionLog log = SessionLog.of(MessageTransformer.class);
    private static final String NO_SUBJECT = "(no subject)";

    private final TransformConfig config;
    private final MessageMemory memory;
    /** {@code null} if it could not be made: the message is then refused from the start. */
    private final MimeParser parser;
    /** The parts opened and not yet ended, innermost first. */
    private final Deque<OpenPart> open = new ArrayDeque<>();

    private final MessageContent content;
    /** What the part sinks need of this message. */
    private final PartSink.Context sinks = new PartSink.Context() {
        @Override
        public MessageMemory memory() {
            return memory;
        }

        @Override
        public TransformConfig config() {
            return config;
        }

        @Override
        public MessageContent content() {
            return content;
        }

        @Override
        public void refuse(Refusal refusal) {
            MessageTransformer.this.refuse(refusal);
        }

        @Override
        public int nextUnnamed() {
            return ++unnamedParts;
        }
    };

    private Refusal refusal;
    private long decodedSize;

    private int unnamedParts;
    /** The message's own headers, once read. */
    private OwnHeaders own;
    /** The subject the message goes with: its own, or a placeholder. */
    private String subject;

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
        this.content = new MessageContent(memory);
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
        MessageContent.HandedOver kept = content.handOver();
        ParsedMessage message = new ParsedMessage(
                subject,
                kept.text(),
                kept.html(),
                kept.attachments(),
                own.forwarded(),
                List.copyOf(own.control().tags),
                own.control().tracking,
                own.control().listId,
                own.control().accountId,
                own.control().emailType,
                own.control().senderId,
                own.from(),
                own.messageId(),
                own.fields(),
                own.control().doNotDeliver,
                Collections.unmodifiableMap(own.control().metadata),
                memory);
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
        Refusal image = content.embedInlineImages();
        if (image != null) {
            refuse(image);
            return;
        }
        if (!content.hasBody()) {
            if (config.missingContent() == TransformConfig.MissingContent.REFUSE) {
                refuse(Refusal.badContent("the message has no text or HTML body, which the Cakemail API requires"));
                return;
            }
            content.placeholderText();
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
     * The one release path of a message that ends without a {@link ParsedMessage}: everything it holds at that moment
     * (the open parts' buffers, and the content kept) is released.
     */
    private void releaseAll() {
        current = null;
        for (OpenPart part : open) {
            if (part instanceof PartSink sink) {
                sink.discard();
            }
        }
        open.clear();
        content.releaseAll();
    }

    private void messageHeaders(MimeHeaders headers) {
        try {
            own = OwnHeaders.read(headers);
            subject = own.subject();
        } catch (ControlHeaders.InvalidHeaderException e) {
            refuse(Refusal.badContent(e.getMessage()));
        }
    }

    private PartSink leaf(MimeHeaders headers, Container parent) {
        PartPolicy.Plan plan = PartPolicy.of(
                headers,
                parent != null && parent.signed,
                parent != null && parent.related,
                parent != null && parent.insideAlternative,
                config);
        if (plan instanceof PartPolicy.Plan.Text text) {
            return new PartSink.BodyPart(sinks, text.html(), text.charset(), text.insideAlternative());
        }
        if (plan instanceof PartPolicy.Plan.Attach attach) {
            return new PartSink.AttachmentPart(sinks, attach);
        }
        if (plan instanceof PartPolicy.Plan.LeaveOut leaveOut) {
            if (leaveOut.warn()) {
                log.warn(memory.session(), "{}", leaveOut.why());
            } else {
                log.info(memory.session(), "{}", leaveOut.why());
            }
        } else {
            refuse(((PartPolicy.Plan.Refuse) plan).refusal());
        }
        return PartSink.Discarded.INSTANCE;
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
}
