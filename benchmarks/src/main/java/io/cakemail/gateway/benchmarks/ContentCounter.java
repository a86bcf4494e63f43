package io.cakemail.gateway.benchmarks;

import io.cakemail.gateway.smtp.codec.SaslResponse;
import io.cakemail.gateway.smtp.codec.SmtpCommand;
import io.cakemail.gateway.smtp.codec.SmtpContent;
import io.cakemail.gateway.smtp.codec.SmtpRequest;
import io.cakemail.gateway.smtp.codec.SmtpRequestDecoder;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/**
 * Stands in for the session after the decoder: starts DATA when asked, counts and releases what arrives.
 */
final class ContentCounter extends ChannelInboundHandlerAdapter {

    private final SmtpRequestDecoder decoder;
    private long contentBytes;
    private long requests;

    ContentCounter(SmtpRequestDecoder decoder) {
        this.decoder = decoder;
    }

    long contentBytes() {
        return contentBytes;
    }

    long requests() {
        return requests;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof SmtpContent content) {
            contentBytes += content.content().readableBytes();
        } else if (msg instanceof SmtpRequest request) {
            requests++;
            if (request.command() == SmtpCommand.DATA) {
                decoder.startData();
            }
        } else if (msg instanceof SaslResponse) {
            requests++;
        }
        ReferenceCountUtil.release(msg);
    }
}
