package io.cakemail.gateway.core.mime;

import io.netty.buffer.ByteBuf;
import java.util.Locale;

/**
 * Undoes a Content-Transfer-Encoding incrementally: input may be cut anywhere, state carries over.
 */
interface TransferDecoder {

    /** Decodes all of {@code in} into {@code out}. */
    void decode(ByteBuf in, ByteBuf out);

    /** Writes what is still held at the end of the part. */
    void finish(ByteBuf out);

    /** The decoder for a {@code Content-Transfer-Encoding} value; unknown values are taken as-is (8bit). */
    static TransferDecoder forEncoding(String encoding) {
        return switch (encoding == null ? "" : encoding.trim().toLowerCase(Locale.ROOT)) {
            case "base64" -> new Base64Decoder();
            case "quoted-printable" -> new QuotedPrintableDecoder();
            default -> Identity.INSTANCE;
        };
    }

    /** 7bit, 8bit, binary and unknown encodings. */
    enum Identity implements TransferDecoder {
        INSTANCE;

        @Override
        public void decode(ByteBuf in, ByteBuf out) {
            out.writeBytes(in);
        }

        @Override
        public void finish(ByteBuf out) {
        }
    }
}
