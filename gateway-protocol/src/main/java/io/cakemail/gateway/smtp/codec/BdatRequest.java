package io.cakemail.gateway.smtp.codec;

/**
 * {@code BDAT <size> [LAST]} (RFC 3030). The decoder frames the chunk itself: the {@code size} octets that follow
 * arrive as {@link SmtpContent}, the final one of a {@code LAST} chunk as {@link LastSmtpContent}, whatever the
 * session decides about the command, so the session stays in sync.
 */
public final class BdatRequest extends DecodedMessage implements SmtpRequest {

    private final long size;
    private final boolean last;
    private final String argument;

    BdatRequest(long size, boolean last, String argument) {
        this.size = size;
        this.last = last;
        this.argument = argument;
    }

    /** The number of octets in the chunk. */
    public long size() {
        return size;
    }

    /** Whether this is the message's last chunk. */
    public boolean last() {
        return last;
    }

    @Override
    public SmtpCommand command() {
        return SmtpCommand.BDAT;
    }

    @Override
    public String argument() {
        return argument;
    }

    @Override
    public String toString() {
        return "BDAT " + argument;
    }
}
