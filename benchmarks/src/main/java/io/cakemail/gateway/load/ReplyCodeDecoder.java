package io.cakemail.gateway.load;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The client side of SMTP replies, as much as the load needs: the code of each complete reply, as an
 * {@link Integer}, once for a multi-line reply. Cheaper than a decoder that keeps each line's text.
 */
final class ReplyCodeDecoder extends ByteToMessageDecoder {

    private static final int MAX_LINE = 8192;

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        int start = in.readerIndex();
        int lf = in.indexOf(start, in.writerIndex(), (byte) '\n');
        if (lf < 0) {
            if (in.readableBytes() > MAX_LINE) {
                throw new TooLongFrameException("an SMTP reply line longer than " + MAX_LINE + " octets");
            }
            return;
        }
        int code = lf - start >= 3 ? code(in, start) : -1;
        if (code < 0) {
            throw new DecoderException(
                    "not an SMTP reply: " + in.toString(start, lf - start, StandardCharsets.US_ASCII));
        }
        boolean continued = lf - start > 3 && in.getByte(start + 3) == '-';
        in.readerIndex(lf + 1);
        if (!continued) {
            out.add(code);
        }
    }

    private static int code(ByteBuf in, int start) {
        int code = 0;
        for (int i = start; i < start + 3; i++) {
            int digit = in.getByte(i) - '0';
            if (digit < 0 || digit > 9) {
                return -1;
            }
            code = code * 10 + digit;
        }
        return code;
    }
}
