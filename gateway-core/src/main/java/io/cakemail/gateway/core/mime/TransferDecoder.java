package io.cakemail.gateway.core.mime;

import io.netty.buffer.ByteBuf;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Undoes a Content-Transfer-Encoding incrementally: input may be cut anywhere, state carries over.
 */
interface TransferDecoder {

    /** Decodes {@code in[from, to)} into {@code out}; {@code in} is not modified. */
    void decode(ByteBuf in, int from, int to, ByteBuf out);

    /** Decodes one octet (a line break the parser held back, for instance). */
    void decode(byte b, ByteBuf out);

    /** Writes what is still held at the end of the part. */
    void finish(ByteBuf out);

    /** The decoder for a {@code Content-Transfer-Encoding} value; unknown values are taken as-is (8bit). */
    static TransferDecoder forEncoding(String encoding, Supplier<DecoderBuffers> buffers) {
        return switch (encoding == null ? "" : encoding.trim().toLowerCase(Locale.ROOT)) {
            case "base64" -> new Base64Decoder(buffers.get());
            case "quoted-printable" -> new QuotedPrintableDecoder(buffers.get());
            default -> Identity.INSTANCE;
        };
    }

    /** 7bit, 8bit, binary and unknown encodings. */
    enum Identity implements TransferDecoder {
        INSTANCE;

        @Override
        public void decode(ByteBuf in, int from, int to, ByteBuf out) {
            out.writeBytes(in, from, to - from);
        }

        @Override
        public void decode(byte b, ByteBuf out) {
            out.writeByte(b);
        }

        @Override
        public void finish(ByteBuf out) {}
    }
}
