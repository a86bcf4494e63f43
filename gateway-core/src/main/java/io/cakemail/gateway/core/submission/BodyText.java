package io.cakemail.gateway.core.submission;

import io.cakemail.gateway.core.mime.Charsets;
import io.cakemail.gateway.core.mime.Utf8Validator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;

/**
 * The decoded content of one body part, on its way to becoming the content of a JSON string. As it arrives, each
 * CRLF becomes LF (in ASCII-compatible charsets) and the bytes are checked for UTF-8. Text that may pass as it is
 * (nearly all of it) is then escaped chunk by chunk, each chunk released once escaped, so the text and its JSON
 * form never both exist whole; other text is decoded from its charset first (see {@link Charsets}).
 */
final class BodyText {

    private static final byte CR = '\r';
    private static final byte LF = '\n';

    private final ByteBufAllocator allocator;
    private final String charset;
    private final boolean joinLines;
    private final ChunkedBuffer decoded;
    private final Utf8Validator validator = new Utf8Validator();
    /** The previous piece ended with a CR, held back until the next byte shows whether an LF follows it. */
    private boolean heldCr;

    /** @param charset the part's {@code charset} parameter, or {@code null} */
    BodyText(ByteBufAllocator allocator, String charset) {
        this.allocator = allocator;
        this.charset = charset;
        this.joinLines = Charsets.isAsciiCompatible(charset);
        this.decoded = new ChunkedBuffer(allocator);
    }

    /** The next decoded piece; read, not retained. */
    void write(ByteBuf piece) {
        Scratch scratch = Scratch.get();
        for (int index = piece.readerIndex(), end = piece.writerIndex(); index < end; ) {
            int length = scratch.load(piece, index, end);
            validator.update(scratch.input, 0, length);
            decoded.write(scratch.input, 0, joinLines ? joinCrLf(scratch.input, length) : length);
            index += length;
        }
    }

    /**
     * Drops from {@code bytes[0, length)}, in place, each CR that an LF follows, holding back a CR at the end until
     * the next block shows what follows it; how many bytes are left.
     */
    private int joinCrLf(byte[] bytes, int length) {
        if (heldCr) {
            heldCr = false;
            if (bytes[0] != LF) {
                decoded.write(CR);
            }
        }
        int kept = 0;
        int from = 0;
        for (int cr = Scratch.indexOf(bytes, 0, length, CR); cr >= 0; cr = Scratch.indexOf(bytes, cr + 1, length, CR)) {
            if (cr + 1 == length || bytes[cr + 1] == LF) {
                System.arraycopy(bytes, from, bytes, kept, cr - from);
                kept += cr - from;
                from = cr + 1;
                heldCr = cr + 1 == length;
            }
        }
        System.arraycopy(bytes, from, bytes, kept, length - from);
        return kept + length - from;
    }

    /** The text as the content of a JSON string (UTF-8, escaped, no quotes), owned by the caller. Call once. */
    ByteBuf finishAsJson() {
        if (heldCr) {
            decoded.write(CR);
        }
        ChunkedBuffer json = new ChunkedBuffer(allocator);
        try {
            if (joinLines && validator.isValid() && Charsets.keepsValidUtf8(charset)) {
                decoded.drain(chunk -> JsonEscaper.escape(chunk, json));
            } else {
                ByteBuf content = decoded.finish();
                try {
                    JsonEscaper.escape(Unpooled.wrappedBuffer(Charsets.toUtf8Text(content, charset)), json);
                } finally {
                    content.release();
                }
            }
        } catch (RuntimeException e) {
            json.release();
            throw e;
        }
        return json.finish();
    }

    /** Releases what was collected, when the part is abandoned. */
    void release() {
        decoded.release();
    }
}
