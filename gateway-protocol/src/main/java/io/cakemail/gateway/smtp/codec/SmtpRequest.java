package io.cakemail.gateway.smtp.codec;

import io.netty.handler.codec.DecoderResultProvider;

/**
 * One command line from the client: the verb and its raw argument. A line the decoder could not accept (too long,
 * NUL byte, bare CR or LF) arrives with a failed {@link #decoderResult()}.
 */
public interface SmtpRequest extends DecoderResultProvider {

    /** The command verb. */
    SmtpCommand command();

    /** Everything after the verb and the space that follows it, without the line ending; empty when absent. */
    String argument();
}
