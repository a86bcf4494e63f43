package io.cakemail.gateway.smtp;

import static java.util.Objects.requireNonNull;

import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.DecoderResultProvider;

/**
 * A line the client sent in answer to a {@code 334} challenge (RFC 4954): base64 or {@code *}.
 */
public final class SaslResponse implements DecoderResultProvider {

    private final String line;
    private DecoderResult decoderResult = DecoderResult.SUCCESS;

    SaslResponse(String line) {
        this.line = requireNonNull(line, "line");
    }

    static SaslResponse failed(Throwable cause) {
        SaslResponse response = new SaslResponse("");
        response.setDecoderResult(DecoderResult.failure(cause));
        return response;
    }

    /** The line without its ending. */
    public String line() {
        return line;
    }

    @Override
    public DecoderResult decoderResult() {
        return decoderResult;
    }

    @Override
    public void setDecoderResult(DecoderResult result) {
        this.decoderResult = requireNonNull(result, "result");
    }
}
