package io.cakemail.gateway.smtp.codec;

import io.cakemail.gateway.smtp.SmtpServerConfig;

/**
 * A command line longer than {@link SmtpServerConfig#maxCommandLineLength()}; the decoder discarded it up to its LF.
 */
final class TooLongSmtpLineException extends SmtpCodecException {

    private static final long serialVersionUID = 1L;

    public TooLongSmtpLineException(int maxLength) {
        super("Line too long (maximum " + maxLength + " octets)");
    }
}
