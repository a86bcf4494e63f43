package io.cakemail.gateway.smtp;

import static java.util.Objects.requireNonNull;

import io.netty.handler.codec.DecoderResult;

/**
 * The default {@link SmtpRequest}.
 */
public final class DefaultSmtpRequest implements SmtpRequest {

    private final SmtpCommand command;
    private final String argument;
    private DecoderResult decoderResult = DecoderResult.SUCCESS;

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

    @Override
    public DecoderResult decoderResult() {
        return decoderResult;
    }

    @Override
    public void setDecoderResult(DecoderResult result) {
        this.decoderResult = requireNonNull(result, "result");
    }

    @Override
    public String toString() {
        return argument.isEmpty() ? command.name() : command.name() + ' ' + argument;
    }
}
