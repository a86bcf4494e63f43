package io.cakemail.gateway.core.mime;

import static java.util.Objects.requireNonNull;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;

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

    private static final int FLUSH_THRESHOLD = 64 * 1024;
    private static final byte LF = '\n';
    private static final byte CR = '\r';

    private final MimeLimits limits;
    private final Handler handler;
    private final Deque<Container> containers = new ArrayDeque<>();
    private final ByteBuf headerBlock;
    private final ByteBuf carry;
    private final ByteBuf decoded;
    private DecoderBuffers decoderBuffers;

    private State state = State.HEADERS;
    private int depth;
    private ContentType defaultType = ContentType.TEXT_PLAIN;
    private int headerFields;
    private int parts;
    private TransferDecoder decoder;
    private boolean atLineStart = true;
    private boolean pendingCrlf;
    private boolean heldCr;

    public MimeParser(MimeLimits limits, Handler handler, ByteBufAllocator allocator) {
        this.limits = requireNonNull(limits, "limits");
        this.handler = requireNonNull(handler, "handler");
        headerBlock = allocator.heapBuffer(Math.min(1024, limits.maxHeaderBytes()), limits.maxHeaderBytes());
        ByteBuf carried = null;
        try {
            carried = allocator.heapBuffer(256);
            decoded = allocator.heapBuffer(8192);
        } catch (Throwable e) {
            headerBlock.release();
            if (carried != null) {
                carried.release();
            }
            throw e;
        }
        carry = carried;
    }

    /** Parses the next chunk of the message. The chunk is read, not retained, and left as it was. */
    public void feed(ByteBuf chunk) {
        if (state == State.FAILED || state == State.FINISHED) {
            return;
        }
        int readerIndex = chunk.readerIndex();
        try {
            parse(chunk);
        } finally {
            chunk.readerIndex(readerIndex);
        }
        flushDecoded();
    }

    private void parse(ByteBuf input) {
        if (carry.isReadable()) {
            completeCarriedLine(input);
        }
        while (input.isReadable() && isParsing()) {
            if (state == State.BODY && !mayBeDelimiterLine(input)) {
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
        while (isParsing() && !containers.isEmpty()) {
            containers.pop();
            handler.endPart();
        }
        if (isParsing()) {
            state = State.FINISHED;
        }
    }

    @Override
    public void close() {
        if (headerBlock.refCnt() > 0) {
            headerBlock.release();
            carry.release();
            decoded.release();
        }
        state = state == State.FINISHED ? state : State.FAILED;
    }

    /** Ignores the rest of the input. Safe to call from a {@link Handler} callback. */
    public void stop() {
        if (isParsing()) {
            state = State.FINISHED;
        }
    }

    private DecoderBuffers decoderBuffers() {
        if (decoderBuffers == null) {
            decoderBuffers = new DecoderBuffers();
        }
        return decoderBuffers;
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

    /** Adds input up to the next LF to the carried line, then processes it (or keeps carrying). */
    private void completeCarriedLine(ByteBuf input) {
        int lf = input.indexOf(input.readerIndex(), input.writerIndex(), LF);
        int end = lf < 0 ? input.writerIndex() : lf + 1;
        carry.writeBytes(input, end - input.readerIndex());
        if (lf >= 0) {
            line(carry, carry.readerIndex(), carry.writerIndex() - 1, true);
            carry.clear();
        } else if (state != State.HEADERS && carry.readableBytes() > MAX_BOUNDARY_LINE) {
            notABoundary();
        } else if (state == State.HEADERS) {
            withinHeaderLimit(carry.readableBytes());
        }
    }

    /** Whether the input starts a line that could be a multipart delimiter (or is too short to tell). */
    private boolean mayBeDelimiterLine(ByteBuf input) {
        int start = input.readerIndex();
        return atLineStart
                && !containers.isEmpty()
                && (input.readableBytes() < 2 || input.getByte(start) == '-' && input.getByte(start + 1) == '-');
    }

    /**
     * Passes body content on in one piece, up to the next line that could be a delimiter or the end of the input.
     * The line break before such a line is held back, as it belongs to the delimiter if the line is one; so is a
     * CR at the very end, which may be half a CRLF.
     */
    private void bodyRun(ByteBuf input) {
        int start = input.readerIndex();
        int limit = input.writerIndex();
        int lastLf = -1;
        int from = start;
        boolean lineBreakHeld = false;
        while (true) {
            int lf = input.indexOf(from, limit, LF);
            if (lf < 0) {
                break;
            }
            lastLf = lf;
            from = lf + 1;
            if (from >= limit
                    || !containers.isEmpty()
                            && input.getByte(from) == '-'
                            && (from + 1 >= limit || input.getByte(from + 1) == '-')) {
                lineBreakHeld = true;
                break;
            }
        }
        if (lineBreakHeld) {
            int lineBreak = lastLf > start && input.getByte(lastLf - 1) == CR ? lastLf - 1 : lastLf;
            if (lineBreak == start && heldCr) {
                heldCr = false; // the CR held from the previous input and this LF make the line break
            }
            body(input, start, lineBreak);
            pendingCrlf = true;
            atLineStart = true;
            input.readerIndex(lastLf + 1);
        } else {
            boolean endsWithCr = input.getByte(limit - 1) == CR;
            body(input, start, endsWithCr ? limit - 1 : limit);
            heldCr = endsWithCr;
            atLineStart = false;
            input.readerIndex(limit);
        }
    }

    /** The input ends inside a line. Keep it if its start decides something; pass body content on. */
    private void partialLine(ByteBuf input) {
        int start = input.readerIndex();
        int length = input.readableBytes();
        boolean mayBeBoundary = atLineStart
                && !containers.isEmpty()
                && (length < 2 || input.getByte(start) == '-' && input.getByte(start + 1) == '-');
        if (state == State.HEADERS || mayBeBoundary && length <= MAX_BOUNDARY_LINE) {
            carry.writeBytes(input);
            if (state == State.HEADERS) {
                withinHeaderLimit(carry.readableBytes());
            }
            return;
        }
        if (state == State.BODY) {
            int end = input.writerIndex();
            boolean endsWithCr = input.getByte(end - 1) == CR; // maybe the first half of a CRLF
            body(input, start, endsWithCr ? end - 1 : end);
            heldCr = endsWithCr;
        }
        atLineStart = false;
        input.skipBytes(length);
    }

    /** A carried line grew too long to be a boundary: it is content (or ignored outside a body). */
    private void notABoundary() {
        if (state == State.BODY) {
            body(carry, carry.readerIndex(), carry.writerIndex());
        }
        atLineStart = false;
        carry.clear();
    }

    /** One line, {@code [start, lf)}; {@code terminated} is false for a last line without LF. */
    private void line(ByteBuf buf, int start, int lf, boolean terminated) {
        int end = lf > start && buf.getByte(lf - 1) == CR ? lf - 1 : lf;
        if (state == State.HEADERS) {
            headerLine(buf, start, end, lf, terminated);
            return;
        }
        if (atLineStart
                && !containers.isEmpty()
                && end - start >= 2
                && buf.getByte(start) == '-'
                && buf.getByte(start + 1) == '-'
                && boundary(buf, start, end)) {
            return;
        }
        if (state == State.BODY) {
            body(buf, start, end);
            pendingCrlf = terminated;
        }
        atLineStart = true;
    }

    private void body(ByteBuf buf, int from, int to) {
        if (pendingCrlf) {
            decoder.decode(CR, decoded);
            decoder.decode(LF, decoded);
            pendingCrlf = false;
        }
        if (heldCr) {
            decoder.decode(CR, decoded); // a CR that turned out not to end a line
            heldCr = false;
        }
        if (to > from) {
            decoder.decode(buf, from, to, decoded);
            if (decoded.readableBytes() >= FLUSH_THRESHOLD) {
                flushDecoded();
            }
        }
    }

    private void headerLine(ByteBuf buf, int start, int end, int lf, boolean terminated) {
        if (end == start) {
            headersComplete();
            return;
        }
        byte first = buf.getByte(start);
        boolean continuation = first == ' ' || first == '\t';
        if (!continuation && !isField(buf, start, end)) {
            if (depth == 0 && parts == 0 && headerFields == 0 && startsWith(buf, start, end, "From ")) {
                return; // an mbox separator line
            }
            headersComplete();
            if (isParsing()) {
                line(buf, start, lf, terminated); // the body starts with this line
            }
            return;
        }
        if (!continuation && ++headerFields > limits.maxHeaderCount()) {
            fail(false, "a part has more than " + limits.maxHeaderCount() + " header fields");
            return;
        }
        if (terminated && withinHeaderLimit(lf + 1 - start)) {
            headerBlock.writeBytes(buf, start, lf + 1 - start);
        } else if (!terminated && withinHeaderLimit(end - start + 2)) {
            headerBlock.writeBytes(buf, start, end - start).writeByte(CR).writeByte(LF);
        }
    }

    /** Whether {@code pending} more octets still fit the header block; fails the parse otherwise. */
    private boolean withinHeaderLimit(int pending) {
        if (headerBlock.readableBytes() + pending > limits.maxHeaderBytes()) {
            fail(false, "a part's header block is larger than " + limits.maxHeaderBytes() + " octets");
            return false;
        }
        return true;
    }

    private static boolean isField(ByteBuf buf, int start, int end) {
        boolean trailingSpace = false;
        for (int i = start; i < end; i++) {
            byte b = buf.getByte(i);
            if (b == ':') {
                return i > start;
            }
            if (b == ' ' || b == '\t') {
                trailingSpace = true; // "Name : value" is obsolete but still seen
            } else if (b < 33 || b > 126 || trailingSpace) {
                return false;
            }
        }
        return false;
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
        MimeHeaders headers = MimeHeaders.parse(headerBlock, defaultType);
        headerBlock.clear();
        headerFields = 0;
        if (++parts > limits.maxParts()) {
            fail(false, "the message has more than " + limits.maxParts() + " MIME parts");
            return;
        }
        handler.startPart(headers, depth);
        if (!isParsing()) {
            return;
        }
        ContentType type = headers.contentType();
        atLineStart = true;
        pendingCrlf = false;
        if (type.isMultipart()) {
            if (depth + 1 > limits.maxDepth()) {
                fail(false, "MIME parts are nested deeper than " + limits.maxDepth() + " levels");
                return;
            }
            containers.push(new Container(
                    type.parameter("boundary"),
                    depth,
                    type.subtype().equals("digest") ? ContentType.MESSAGE_RFC822 : ContentType.TEXT_PLAIN));
            moveTo(State.PREAMBLE);
        } else {
            decoder = TransferDecoder.forEncoding(headers.transferEncoding(), this::decoderBuffers);
            moveTo(State.BODY);
        }
    }

    /** Handles a delimiter line of any open multipart, innermost first; false if the line is none. */
    private boolean boundary(ByteBuf buf, int start, int end) {
        while (end > start && (buf.getByte(end - 1) == ' ' || buf.getByte(end - 1) == '\t')) {
            end--;
        }
        for (Iterator<Container> it = containers.iterator(); it.hasNext(); ) {
            Container container = it.next();
            int match = container.match(buf, start, end);
            if (match == Container.NO_MATCH) {
                continue;
            }
            if (state == State.BODY) {
                endLeaf();
            }
            while (isParsing() && containers.peek() != container) {
                containers.pop(); // a nested multipart that never closed
                handler.endPart();
            }
            atLineStart = true;
            pendingCrlf = false;
            if (match == Container.CLOSE) {
                containers.pop();
                handler.endPart();
                moveTo(State.EPILOGUE);
            } else {
                depth = container.depth + 1;
                defaultType = container.childType;
                moveTo(State.HEADERS);
            }
            return true;
        }
        return false;
    }

    private void endLeaf() {
        if (heldCr) {
            decoder.decode(CR, decoded);
            heldCr = false;
        }
        decoder.finish(decoded);
        flushDecoded();
        decoder = null;
        handler.endPart();
        moveTo(State.PREAMBLE); // until the next delimiter, lines are ignored
    }

    private void flushDecoded() {
        if (decoded.isReadable() && isParsing()) {
            handler.content(decoded);
        }
        decoded.clear();
    }

    private void fail(boolean sizeLimit, String reason) {
        state = State.FAILED;
        carry.clear();
        handler.violation(new MimeViolation(sizeLimit, reason));
    }

    /** An open multipart: its delimiter, depth, and the default type of its children. */
    private static final class Container {
        static final int NO_MATCH = 0;
        static final int OPEN = 1;
        static final int CLOSE = 2;

        final byte[] delimiter;
        final int depth;
        final ContentType childType;

        Container(String boundary, int depth, ContentType childType) {
            this.delimiter = ("--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
            this.depth = depth;
            this.childType = childType;
        }

        int match(ByteBuf buf, int start, int end) {
            int length = end - start;
            if (length != delimiter.length && length != delimiter.length + 2) {
                return NO_MATCH;
            }
            for (int i = 0; i < delimiter.length; i++) {
                if (buf.getByte(start + i) != delimiter[i]) {
                    return NO_MATCH;
                }
            }
            if (length == delimiter.length) {
                return OPEN;
            }
            return buf.getByte(end - 2) == '-' && buf.getByte(end - 1) == '-' ? CLOSE : NO_MATCH;
        }
    }
}
