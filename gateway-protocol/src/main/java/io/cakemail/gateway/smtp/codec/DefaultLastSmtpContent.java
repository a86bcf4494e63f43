package io.cakemail.gateway.smtp.codec;

import static java.util.Objects.requireNonNull;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.DecoderResult;

/**
 * The default {@link LastSmtpContent}.
 */
final class DefaultLastSmtpContent extends DefaultSmtpContent implements LastSmtpContent {

    private DecoderResult decoderResult = DecoderResult.SUCCESS;

    public DefaultLastSmtpContent(ByteBuf content) {
        super(content);
    }

    @Override
    public DefaultLastSmtpContent replace(ByteBuf content) {
        DefaultLastSmtpContent copy = new DefaultLastSmtpContent(content);
        copy.setDecoderResult(decoderResult);
        return copy;
    }

    @Override
    public DecoderResult decoderResult() {
        return decoderResult;
    }

    @Override
    public void setDecoderResult(DecoderResult result) {
        this.decoderResult = requireNonNull(result, "result");
    }
}
