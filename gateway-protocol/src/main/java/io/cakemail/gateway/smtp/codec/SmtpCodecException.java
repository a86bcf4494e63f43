package io.cakemail.gateway.smtp.codec;

import io.netty.handler.codec.DecoderException;

/**
 * Input that breaks SMTP framing rules: a bare CR or LF, a NUL byte, a malformed BDAT size. It travels as the
 * failed {@code DecoderResult} of the message it spoiled, never as a thrown exception.
 */
class SmtpCodecException extends DecoderException {

    private static final long serialVersionUID = 1L;

    public SmtpCodecException(String message) {
        super(message);
    }
}
