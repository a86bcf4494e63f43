package io.cakemail.gateway.core.mime;

import static java.util.Objects.requireNonNull;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * A push parser for MIME messages (RFC 2045, 2046): feed it the message in chunks cut anywhere, it calls its
 * {@link Handler} with each part's headers, the part's content already decoded from its transfer encoding, and
 * the part's end. It never holds more of the input than one header block or one possible boundary line.
 *
 * <p>Malformed input is handled the way mainstream mail clients do: a missing final boundary closes the open parts
 * at the end, a missing blank line after headers starts the body at the first line that is not a header field, an
 * unterminated last line still counts. Only a broken {@link MimeLimits} bound stops the parse, reported once as a
 * {@link MimeViolation}. Nothing here throws on bad input.
 *
 * <p>Three layers: this class assembles lines from the chunks (carrying a line cut by a chunk's end only when its
 * start decides something) and passes body content on in runs between lines that may be delimiters; it moves the
 * parse between header, body, preamble and epilogue. {@link HeaderBlock} accumulates a part's header lines within
 * their limits, {@link Delimiters} matches lines against the open multiparts, {@link PartContent} decodes and
 * flushes a leaf part's content.
 *
 * <p>Not thread-safe; one instance per message. {@link #close()} releases its buffers.
 */
public final class MimeParser implements AutoCloseable {

    /** Receives the parse. Buffers passed to it are only lent for the call. */
    public interface Handler {

        /** A part begins; {@code depth} is 0 for the message itself. Containers (multipart) start parts too. */
        void startPart(MimeHeaders headers, int depth);

        /** Decoded content of the current leaf part. */
        void content(ByteBuf decoded);

        /** The current part (leaf or container) ends. */
        void endPart();

        /** A limit was broken; nothing more will be reported. */
        void violation(MimeViolation violation);
    }

    private enum State {
        HEADERS,
        BODY,
        PREAMBLE,
        EPILOGUE,
        FAILED,
        FINISHED
    }

    /** The longest line that can still be a boundary: 70 characters (RFC 2046) plus dashes and padding. */
    private static final int MAX_BOUNDARY_LINE = 1024;

    private static final byte LF = '\n';
    private static final byte CR = '\r';

    private final MimeLimits limits;
    private final Handler handler;
    private final Delimiters delimiters = new Delimiters();
    private final HeaderBlock headers;
    private final ByteBuf carry;
    private final PartContent content;

    private State state = State.HEADERS;
    private int depth;
    private ContentType defaultType = ContentType.TEXT_PLAIN;
    private int parts;
    /** Whether the next input octet starts a line. */
    private boolean atLineStart = true;

    public MimeParser(MimeLimits limits, Handler handler, ByteBufAllocator allocator) {
        this.limits = requireNonNull(limits, "limits");
        this.handler = requireNonNull(handler, "handler");
        headers = new HeaderBlock(limits, allocator);
        try {
            carry = allocator.heapBuffer(256);
            try {
                content = new PartContent(allocator, this::passContent);
            } catch (Throwable e) {
                carry.release();
                throw e;
            }
        } catch (Throwable e) {
            headers.close();
            throw e;
        }
    }

    /** Parses the next chunk of the message. The chunk is read, not retained, and left as it was. */
    public void feed(ByteBuf chunk) {
        if (!isParsing()) {
            return;
        }
        int readerIndex = chunk.readerIndex();
        try {
            parse(chunk);
        } finally {
            chunk.readerIndex(readerIndex);
        }
        content.flush();
    }

    /** The message is complete: ends whatever is open. */
    public void finish() {
        if (!isParsing()) {
            return;
        }
        if (carry.isReadable()) {
            line(carry, carry.readerIndex(), carry.writerIndex(), false);
            carry.clear();
        }
        if (state == State.HEADERS && isParsing()) {
            headersComplete();
        }
        if (state == State.BODY) {
            endLeaf();
        }
        while (isParsing() && !delimiters.isEmpty()) {
            delimiters.close();
            handler.endPart();
        }
        if (isParsing()) {
            state = State.FINISHED;
        }
    }

    @Override
    public void close() {
        if (carry.refCnt() > 0) {
            carry.release();
            headers.close();
            content.close();
        }
        state = state == State.FINISHED ? state : State.FAILED;
    }

    /** Ignores the rest of the input. Safe to call from a {@link Handler} callback. */
    public void stop() {
        if (isParsing()) {
            state = State.FINISHED;
        }
    }

    private void parse(ByteBuf input) {
        if (carry.isReadable()) {
            completeCarriedLine(input);
        }
        while (input.isReadable() && isParsing()) {
            if (state == State.BODY
                    && !(atLineStart && delimiters.mayStart(input, input.readerIndex(), input.writerIndex()))) {
                bodyRun(input);
                continue;
            }
            int start = input.readerIndex();
            int lf = input.indexOf(start, input.writerIndex(), LF);
            if (lf < 0) {
                partialLine(input);
                break;
            }
            input.readerIndex(lf + 1);
            line(input, start, lf, true);
        }
    }

    /** Adds input up to the next LF to the carried line, then processes it (or keeps carrying). */
    private void completeCarriedLine(ByteBuf input) {
        int lf = input.indexOf(input.readerIndex(), input.writerIndex(), LF);
        int end = lf < 0 ? input.writerIndex() : lf + 1;
        carry.writeBytes(input, end - input.readerIndex());
        if (lf >= 0) {
            line(carry, carry.readerIndex(), carry.writerIndex() - 1, true);
            carry.clear();
        } else if (state == State.HEADERS) {
            check(headers.fits(carry.readableBytes()));
        } else if (carry.readableBytes() > MAX_BOUNDARY_LINE) {
            notADelimiter();
        }
    }

    /**
     * Passes body content on in one piece, up to the next line that could be a delimiter or the end of the input.
     * The line break before such a line is held back, as it belongs to the delimiter if the line is one.
     */
    private void bodyRun(ByteBuf input) {
        int start = input.readerIndex();
        int limit = input.writerIndex();
        int lastLf = -1;
        for (int from = start; ; ) {
            int lf = input.indexOf(from, limit, LF);
            if (lf < 0) {
                break;
            }
            from = lf + 1;
            if (from >= limit || delimiters.mayStart(input, from, limit)) {
                lastLf = lf;
                break;
            }
        }
        if (lastLf < 0) {
            trailingContent(input, start, limit);
            atLineStart = false;
            input.readerIndex(limit);
            return;
        }
        boolean crHeldBefore = lastLf == start && content.isCrHeld();
        if (crHeldBefore) {
            content.crEndedLine();
        }
        int lineBreak = lastLf > start && input.getByte(lastLf - 1) == CR ? lastLf - 1 : lastLf;
        content.write(input, start, lineBreak);
        content.holdLineBreak(crHeldBefore || lineBreak < lastLf);
        atLineStart = true;
        input.readerIndex(lastLf + 1);
    }

    /** The input ends inside a line. Keep it if its start decides something; pass body content on. */
    private void partialLine(ByteBuf input) {
        int start = input.readerIndex();
        int length = input.readableBytes();
        boolean mayBeDelimiter = atLineStart && delimiters.mayStart(input, start, input.writerIndex());
        if (state == State.HEADERS || mayBeDelimiter && length <= MAX_BOUNDARY_LINE) {
            carry.writeBytes(input);
            if (state == State.HEADERS) {
                check(headers.fits(carry.readableBytes()));
            }
            return;
        }
        if (state == State.BODY) {
            trailingContent(input, start, input.writerIndex());
        }
        atLineStart = false;
        input.skipBytes(length);
    }

    /** A carried line grew too long to be a delimiter: it is content (or ignored outside a body). */
    private void notADelimiter() {
        if (state == State.BODY) {
            trailingContent(carry, carry.readerIndex(), carry.writerIndex());
        }
        atLineStart = false;
        carry.clear();
    }

    /** Content {@code [start, end)} that ends the input so far: a CR at its end may be half a CRLF, and is held. */
    private void trailingContent(ByteBuf buf, int start, int end) {
        boolean endsWithCr = buf.getByte(end - 1) == CR;
        content.write(buf, start, endsWithCr ? end - 1 : end);
        if (endsWithCr) {
            content.holdCr();
        }
    }

    /** One line, {@code [start, lf)}; {@code terminated} is false for a last line without LF. */
    private void line(ByteBuf buf, int start, int lf, boolean terminated) {
        int end = lf > start && buf.getByte(lf - 1) == CR ? lf - 1 : lf;
        if (state == State.HEADERS) {
            headerLine(buf, start, end, lf, terminated);
            return;
        }
        if (atLineStart && delimiter(buf, start, end)) {
            return;
        }
        if (state == State.BODY) {
            content.write(buf, start, end);
            if (terminated) {
                content.holdLineBreak(end < lf);
            }
        }
        atLineStart = true;
    }

    private void headerLine(ByteBuf buf, int start, int end, int lf, boolean terminated) {
        if (end == start) {
            headersComplete();
            return;
        }
        if (!HeaderBlock.isFieldOrContinuation(buf, start, end)) {
            if (depth == 0 && parts == 0 && headers.isEmpty() && startsWith(buf, start, end, "From ")) {
                return; // an mbox separator line
            }
            headersComplete();
            if (isParsing()) {
                line(buf, start, lf, terminated); // the body starts with this line
            }
            return;
        }
        check(headers.add(buf, start, end, terminated ? lf + 1 : end));
    }

    private static boolean startsWith(ByteBuf buf, int start, int end, String prefix) {
        if (end - start < prefix.length()) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            if (buf.getByte(start + i) != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private void headersComplete() {
        MimeHeaders parsed = headers.take(defaultType);
        if (++parts > limits.maxParts()) {
            fail(new MimeViolation(false, "the message has more than " + limits.maxParts() + " MIME parts"));
            return;
        }
        handler.startPart(parsed, depth);
        if (!isParsing()) {
            return;
        }
        ContentType type = parsed.contentType();
        atLineStart = true;
        if (!type.isMultipart()) {
            content.start(parsed.transferEncoding());
            moveTo(State.BODY);
        } else if (depth + 1 > limits.maxDepth()) {
            fail(new MimeViolation(false, "MIME parts are nested deeper than " + limits.maxDepth() + " levels"));
        } else {
            ContentType childType =
                    type.subtype().equals("digest") ? ContentType.MESSAGE_RFC822 : ContentType.TEXT_PLAIN;
            delimiters.open(type.parameter("boundary"), depth, childType);
            moveTo(State.PREAMBLE);
        }
    }

    /** Handles a delimiter line of any open multipart, innermost first; false if the line is none. */
    private boolean delimiter(ByteBuf buf, int start, int end) {
        Delimiters.Match match = delimiters.match(buf, start, end);
        if (match == null) {
            return false;
        }
        if (state == State.BODY) {
            endLeaf();
        }
        while (isParsing() && delimiters.innermost() != match.multipart()) {
            delimiters.close(); // a nested multipart that never closed
            handler.endPart();
        }
        if (!isParsing()) {
            return true;
        }
        atLineStart = true;
        if (match.closes()) {
            delimiters.close();
            handler.endPart();
            moveTo(State.EPILOGUE);
        } else {
            depth = match.multipart().depth() + 1;
            defaultType = match.multipart().childType();
            moveTo(State.HEADERS);
        }
        return true;
    }

    private void endLeaf() {
        content.end();
        handler.endPart();
        moveTo(State.PREAMBLE); // until the next delimiter, lines are ignored
    }

    private void passContent(ByteBuf decoded) {
        if (isParsing()) {
            handler.content(decoded);
        }
    }

    /** Moves to {@code next} unless a handler callback stopped the parse meanwhile. */
    private void moveTo(State next) {
        if (isParsing()) {
            state = next;
        }
    }

    private boolean isParsing() {
        return state != State.FAILED && state != State.FINISHED;
    }

    /** Fails the parse on {@code violation}, if there is one. */
    private void check(MimeViolation violation) {
        if (violation != null) {
            fail(violation);
        }
    }

    private void fail(MimeViolation violation) {
        state = State.FAILED;
        carry.clear();
        handler.violation(violation);
    }
}
