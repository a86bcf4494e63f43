package io.cakemail.gateway.smtp;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;
import java.util.List;

/**
 * Writes {@link SmtpReply} objects. A reply is encoded once when it is created; this encoder only wraps the bytes,
 * so it is stateless and {@link Sharable}.
 */
@Sharable
public final class SmtpReplyEncoder extends MessageToMessageEncoder<SmtpReply> {

    public static final SmtpReplyEncoder INSTANCE = new SmtpReplyEncoder();

    private SmtpReplyEncoder() {
        super(SmtpReply.class);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, SmtpReply reply, List<Object> out) {
        out.add(Unpooled.wrappedBuffer(reply.encoded()));
    }
}
