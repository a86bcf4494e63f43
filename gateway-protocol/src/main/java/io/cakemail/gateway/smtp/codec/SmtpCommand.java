package io.cakemail.gateway.smtp.codec;

import io.netty.buffer.ByteBuf;

/**
 * The SMTP commands the server understands. Anything else decodes as {@link #UNKNOWN}.
 */
public enum SmtpCommand {
    EHLO,
    HELO,
    STARTTLS,
    AUTH,
    MAIL,
    RCPT,
    DATA,
    BDAT,
    RSET,
    NOOP,
    VRFY,
    HELP,
    QUIT,
    /** A verb the server does not implement. */
    UNKNOWN;

    private static final SmtpCommand[] KNOWN = {
        MAIL, RCPT, DATA, BDAT, EHLO, HELO, STARTTLS, AUTH, RSET, NOOP, VRFY, HELP, QUIT
    };

    private final byte[] upperCase = name().getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    /**
     * Finds the command spelled by {@code length} bytes of {@code buf} at {@code index}, ignoring ASCII case,
     * without allocating.
     */
    static SmtpCommand lookup(ByteBuf buf, int index, int length) {
        for (SmtpCommand command : KNOWN) {
            if (command.matches(buf, index, length)) {
                return command;
            }
        }
        return UNKNOWN;
    }

    private boolean matches(ByteBuf buf, int index, int length) {
        if (length != upperCase.length) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            int b = buf.getByte(index + i);
            if (b >= 'a' && b <= 'z') {
                b -= 'a' - 'A';
            }
            if (b != upperCase[i]) {
                return false;
            }
        }
        return true;
    }
}
