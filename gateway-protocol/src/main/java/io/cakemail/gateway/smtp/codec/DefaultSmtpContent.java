package io.cakemail.gateway.smtp.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;

/**
 * The default {@link SmtpContent}.
 */
class DefaultSmtpContent extends DefaultByteBufHolder implements SmtpContent {

    public DefaultSmtpContent(ByteBuf content) {
        super(content);
    }

    @Override
    public DefaultSmtpContent replace(ByteBuf content) {
        return new DefaultSmtpContent(content);
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + '(' + content().readableBytes() + " bytes)";
    }
}
