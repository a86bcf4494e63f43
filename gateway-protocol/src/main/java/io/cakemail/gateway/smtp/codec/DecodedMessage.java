package io.cakemail.gateway.smtp.codec;

import static java.util.Objects.requireNonNull;

import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.DecoderResultProvider;

/**
 * The decoder result shared by the messages {@link SmtpRequestDecoder} emits, in the way of netty's
 * {@code DefaultHttpObject}.
 */
abstract class DecodedMessage implements DecoderResultProvider {

    private DecoderResult decoderResult = DecoderResult.SUCCESS;

    @Override
    public DecoderResult decoderResult() {
        return decoderResult;
    }

    @Override
    public void setDecoderResult(DecoderResult result) {
        this.decoderResult = requireNonNull(result, "result");
    }
}
