package io.cakemail.gateway.smtp.codec;

import io.cakemail.gateway.smtp.BareLineEndingPolicy;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.DecoderResultProvider;

/**
 * The final chunk of a message: after {@code CRLF.CRLF} for DATA, after a {@code BDAT ... LAST} chunk for CHUNKING.
 * A failed {@link #decoderResult()} means the content broke a rule of the decoder (a bare CR or LF under
 * {@link BareLineEndingPolicy#REJECT}); the message must then be refused.
 */
public interface LastSmtpContent extends SmtpContent, DecoderResultProvider {

    /** An empty last chunk. It is not reference-counted and must not be modified. */
    LastSmtpContent EMPTY = new DefaultLastSmtpContent(Unpooled.EMPTY_BUFFER);
}
