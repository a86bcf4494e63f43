package io.cakemail.gateway.core.transform;

import io.cakemail.gateway.core.json.JsonEscaper;
import io.cakemail.gateway.core.json.Scratch;
import io.cakemail.gateway.core.json.TextTranscoder;
import io.cakemail.gateway.core.memory.ChunkedBuffer;
import io.cakemail.gateway.core.memory.MessageMemory;
import io.cakemail.gateway.core.mime.Charsets;
import io.cakemail.gateway.core.mime.Utf8Validator;
import io.netty.buffer.ByteBuf;

/**
 * The decoded content of one body part, on its way to becoming the content of a JSON string. As it arrives, each
 * CRLF becomes LF (in ASCII-compatible charsets) and the bytes are checked for UTF-8. Text that may pass as it is
 * (nearly all of it) is then escaped chunk by chunk, each chunk released once escaped, so the text and its JSON
 * form never both exist whole; other text is transcoded from its charset (see {@link Charsets#readAs}) the same way,
 * chunk by chunk, in a {@link TextTranscoder}. Both are charged to the message's {@link MessageMemory}, escaping's
 * growth included, and the JSON may not grow past the room the caller gives.
 */
final class BodyText {

    private static final byte CR = '\r';
    private static final byte LF = '\n';

    private final MessageMemory memory;
    private final String charset;
    private final boolean joinLines;
    private final ChunkedBuffer decoded;
    private final Utf8Validator validator = new Utf8Validator();
    /** The previous piece ended with a CR, held back until the next byte shows whether an LF follows it. */
    private boolean heldCr;

    /** @param charset the part's {@code charset} parameter, or {@code null} */
    BodyText(MessageMemory memory, String charset) {
        this.memory = memory;
        this.charset = charset;
        this.joinLines = Charsets.isAsciiCompatible(charset);
        this.decoded = new ChunkedBuffer(memory);
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

    /**
     * The text as the content of a JSON string (UTF-8, escaped, no quotes), owned by the caller. Call once.
     *
     * @param room the most octets the JSON may have
     * @param limit the limit on the message's encoded content that {@code room} is what is left of, for the refusal
     * @throws RefusalException past {@code room}, or when the memory budget has no room; what was held is released
     */
    ByteBuf finishAsJson(long room, long limit) {
        if (heldCr) {
            decoded.write(CR);
        }
        ChunkedBuffer json = new ChunkedBuffer(memory);
        try {
            if (joinLines && validator.isValid() && Charsets.keepsValidUtf8(charset)) {
                decoded.drain(chunk -> {
                    JsonEscaper.escape(chunk, json);
                    requireRoom(json, room, limit);
                });
            } else {
                TextTranscoder transcoder = new TextTranscoder(Charsets.readAs(charset, validator), !joinLines);
                decoded.drain(chunk -> {
                    transcoder.write(chunk, json);
                    requireRoom(json, room, limit);
                });
                transcoder.finish(json);
                requireRoom(json, room, limit);
            }
        } catch (Throwable e) {
            decoded.release();
            json.release();
            throw e;
        }
        return json.finish();
    }

    private static void requireRoom(ChunkedBuffer json, long room, long limit) {
        if (json.size() > room) {
            throw new RefusalException(MessageTransformer.jsonTooLarge(limit));
        }
    }

    /** Releases what was collected, when the part is abandoned. */
    void release() {
        decoded.release();
    }
}
