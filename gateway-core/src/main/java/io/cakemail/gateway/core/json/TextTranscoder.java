package io.cakemail.gateway.core.json;

import io.cakemail.gateway.core.memory.ChunkedBuffer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Body text in a charset other than UTF-8 (or not well-formed in it), decoded in blocks of {@value #BLOCK} and
 * written as the content of a JSON string, UTF-8 and escaped: the text is never decoded whole, so a large body costs
 * its JSON and a few blocks, not a {@code String} and its copies. Malformed input and characters without a mapping
 * become U+FFFD, as {@code new String(bytes, charset)} makes them. A sequence may straddle two pieces.
 *
 * <p>With {@code joinLines}, each CRLF becomes LF after decoding: for the charsets whose line breaks cannot be found
 * byte by byte (UTF-16, UTF-32); the others arrive with their line breaks joined already.
 */
public final class TextTranscoder {

    private static final int BLOCK = 8 * 1024;
    private static final char CR = '\r';
    private static final char LF = '\n';

    private final CharsetDecoder decoder;
    private final CharsetEncoder encoder = StandardCharsets.UTF_8
            .newEncoder()
            .onMalformedInput(CodingErrorAction.REPLACE)
            .onUnmappableCharacter(CodingErrorAction.REPLACE);
    private final boolean joinLines;
    /** Octets waiting to be decoded: the next block, after what the last block left of a sequence cut short. */
    private final ByteBuffer bytes = ByteBuffer.allocate(BLOCK);

    private final CharBuffer chars = CharBuffer.allocate(BLOCK);
    private final ByteBuffer utf8 = ByteBuffer.allocate(BLOCK * 3 + 1);
    /** The last block ended with a CR, held back until the next character shows whether an LF follows. */
    private boolean heldCr;

    public TextTranscoder(Charset charset, boolean joinLines) {
        this.decoder = charset.newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
        this.joinLines = joinLines;
    }

    /** Decodes {@code piece}'s readable bytes (left as they are) and appends them to {@code json}. */
    public void write(ByteBuf piece, ChunkedBuffer json) {
        for (int index = piece.readerIndex(), end = piece.writerIndex(); index < end; ) {
            int length = Math.min(bytes.remaining(), end - index);
            piece.getBytes(index, bytes.array(), bytes.position(), length);
            bytes.position(bytes.position() + length);
            index += length;
            decode(false, json);
        }
    }

    /** Decodes what is left, ending the text. */
    public void finish(ChunkedBuffer json) {
        decode(true, json);
        while (decoder.flush(chars) == CoderResult.OVERFLOW) {
            emit(false, json);
        }
        emit(true, json);
    }

    private void decode(boolean endOfInput, ChunkedBuffer json) {
        bytes.flip();
        while (decoder.decode(bytes, chars, endOfInput) == CoderResult.OVERFLOW) {
            emit(false, json);
        }
        bytes.compact();
    }

    /** Writes the decoded characters as escaped UTF-8; with {@code last}, the held CR and the encoder's end too. */
    private void emit(boolean last, ChunkedBuffer json) {
        chars.flip();
        utf8.clear();
        if (joinLines && joinCrLf(last)) {
            utf8.put((byte) CR);
        }
        encoder.encode(chars, utf8, last);
        if (last) {
            encoder.flush(utf8);
        }
        chars.compact();
        JsonEscaper.escape(Unpooled.wrappedBuffer(utf8.array(), 0, utf8.position()), json);
    }

    /**
     * Drops each CR that an LF follows, in place in {@link #chars}, holding back a CR that ends a block (unless it is
     * the last); whether the CR held back from the block before must be written ahead of this one.
     */
    private boolean joinCrLf(boolean last) {
        char[] array = chars.array();
        int from = chars.position();
        int to = chars.limit();
        boolean writeHeld = false;
        if (heldCr && (from < to || last)) {
            heldCr = false;
            writeHeld = from == to || array[from] != LF;
        }
        int kept = from;
        for (int i = from; i < to; i++) {
            char c = array[i];
            if (c == CR) {
                if (i + 1 < to && array[i + 1] == LF) {
                    continue;
                }
                if (i + 1 == to && !last) {
                    heldCr = true;
                    continue;
                }
            }
            array[kept++] = c;
        }
        chars.limit(kept);
        return writeHeld;
    }
}
