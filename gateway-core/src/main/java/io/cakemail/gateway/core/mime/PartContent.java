package io.cakemail.gateway.core.mime;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.function.Consumer;

/**
 * The content of the leaf part being read, decoded from its transfer encoding into a buffer that goes to the
 * handler in blocks of about 64 KiB.
 *
 * <p>Two things are held back until what follows decides them: the line break before a line that may be a
 * delimiter (it belongs to the delimiter if the line is one, RFC 2046 5.1.1), and a CR at the end of an input
 * chunk (it may be half a CRLF split across chunks).
 */
final class PartContent implements AutoCloseable {

    private static final int FLUSH_THRESHOLD = 64 * 1024;
    private static final byte CR = '\r';
    private static final byte LF = '\n';

    private final ByteBuf decoded;
    private final Consumer<ByteBuf> handler;
    private DecoderBuffers decoderBuffers;
    private TransferDecoder decoder;
    private boolean heldLineBreak;
    private boolean heldLineBreakHasCr;
    private boolean heldCr;

    /** {@code handler} receives decoded blocks, lent for the call. */
    PartContent(ByteBufAllocator allocator, Consumer<ByteBuf> handler) {
        this.decoded = allocator.heapBuffer(8192);
        this.handler = handler;
    }

    /** A leaf part begins, in this {@code Content-Transfer-Encoding}. */
    void start(String transferEncoding) {
        decoder = TransferDecoder.forEncoding(transferEncoding, this::decoderBuffers);
    }

    /** Content {@code [from, to)}, after whatever was held back. */
    void write(ByteBuf buf, int from, int to) {
        if (heldLineBreak) {
            if (heldLineBreakHasCr) {
                decoder.decode(CR, decoded);
            }
            decoder.decode(LF, decoded);
            heldLineBreak = false;
        }
        if (heldCr) {
            decoder.decode(CR, decoded); // a CR that turned out not to end a line
            heldCr = false;
        }
        if (to > from) {
            decoder.decode(buf, from, to, decoded);
            if (decoded.readableBytes() >= FLUSH_THRESHOLD) {
                flush();
            }
        }
    }

    /**
     * The content written last ended a line: hold its line break (a CRLF, or a bare LF when {@code withCr} is false)
     * until more content follows, and then write it as it came.
     */
    void holdLineBreak(boolean withCr) {
        heldLineBreak = true;
        heldLineBreakHasCr = withCr;
    }

    /** The content written last ended the input with a CR: hold it until the next input says what it is. */
    void holdCr() {
        heldCr = true;
    }

    /** Whether a CR is held: an LF that starts the next input makes a line break with it. */
    boolean isCrHeld() {
        return heldCr;
    }

    /** The held CR and the LF that followed it are one line break. */
    void crEndedLine() {
        heldCr = false;
    }

    /** The part ends: a held CR is content, a held line break is not (it belonged to the delimiter). */
    void end() {
        if (heldCr) {
            decoder.decode(CR, decoded);
            heldCr = false;
        }
        decoder.finish(decoded);
        flush();
        decoder = null;
        heldLineBreak = false;
    }

    /** Passes the decoded content on. */
    void flush() {
        if (decoded.isReadable()) {
            handler.accept(decoded);
        }
        decoded.clear();
    }

    @Override
    public void close() {
        if (decoded.refCnt() > 0) {
            decoded.release();
        }
    }

    private DecoderBuffers decoderBuffers() {
        if (decoderBuffers == null) {
            decoderBuffers = new DecoderBuffers();
        }
        return decoderBuffers;
    }
}
