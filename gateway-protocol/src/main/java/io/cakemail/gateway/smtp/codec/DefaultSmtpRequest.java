package io.cakemail.gateway.smtp.codec;

import static java.util.Objects.requireNonNull;

import io.netty.handler.codec.DecoderResult;

/**
 * The default {@link SmtpRequest}.
 */
public final class DefaultSmtpRequest extends DecodedMessage implements SmtpRequest {

    private final SmtpCommand command;
    private final String argument;

    public DefaultSmtpRequest(SmtpCommand command, String argument) {
        this.command = requireNonNull(command, "command");
        this.argument = requireNonNull(argument, "argument");
    }

    static DefaultSmtpRequest failed(SmtpCommand command, Throwable cause) {
        DefaultSmtpRequest request = new DefaultSmtpRequest(command, "");
        request.setDecoderResult(DecoderResult.failure(cause));
        return request;
    }

    @Override
    public SmtpCommand command() {
        return command;
    }

    @Override
    public String argument() {
        return argument;
    }

    /** The command line, but for the credentials of an {@code AUTH} with an initial response. */
    @Override
    public String toString() {
        if (argument.isEmpty()) {
            return command.name();
        }
        if (command == SmtpCommand.AUTH) {
            int space = argument.indexOf(' ');
            return space < 0 ? "AUTH " + argument : "AUTH " + argument.substring(0, space) + " ***";
        }
        return command.name() + ' ' + argument;
    }
}
