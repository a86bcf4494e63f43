package io.cakemail.gateway.smtp.codec;

import static java.util.Objects.requireNonNull;

import io.netty.handler.codec.DecoderResult;

/**
 * A line the client sent in answer to a {@code 334} challenge (RFC 4954): base64 or {@code *}.
 */
public final class SaslResponse extends DecodedMessage {

    private final String line;

    public SaslResponse(String line) {
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

    /** Never the line: it carries credentials. */
    @Override
    public String toString() {
        return "SaslResponse[***]";
    }
}
