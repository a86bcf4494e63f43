package io.cakemail.gateway.server;

import io.cakemail.gateway.core.submission.MessageTransformer;
import io.cakemail.gateway.core.submission.TransformConfig;
import io.cakemail.gateway.core.submission.TransformResult;
import io.cakemail.gateway.smtp.AuthResult;
import io.cakemail.gateway.smtp.Envelope;
import io.cakemail.gateway.smtp.MessageReceiver;
import io.cakemail.gateway.smtp.MessageSink;
import io.cakemail.gateway.smtp.SmtpAuthenticator;
import io.cakemail.gateway.smtp.SmtpReply;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Stands in for the Cakemail API client until it lands: AUTH accepts any non-empty credentials (nothing can be sent
 * with them), and each message goes through the real transformer, so what the API could not carry is refused
 * precisely; everything else is refused at end-of-data with {@code 451 4.3.0}, so no client is ever told that mail
 * was accepted.
 */
final class InterimCakemailStub implements SmtpAuthenticator, MessageReceiver {

    static final SmtpReply NOT_CONNECTED = SmtpReply.of(451, "4.3.0",
            "This gateway is not connected to the Cakemail API yet; the message was not accepted, try again later");

    private final TransformConfig transformConfig;
    private final ByteBufAllocator allocator;

    InterimCakemailStub(TransformConfig transformConfig, ByteBufAllocator allocator) {
        this.transformConfig = transformConfig;
        this.allocator = allocator;
    }

    @Override
    public CompletionStage<AuthResult> authenticate(String username, String password) {
        return CompletableFuture.completedFuture(username.isEmpty() || password.isEmpty()
                ? AuthResult.rejected() : AuthResult.success(() -> username));
    }

    @Override
    public MessageSink open(Envelope envelope) {
        MessageTransformer transformer = new MessageTransformer(transformConfig, allocator);
        return new MessageSink() {
            @Override
            public void content(ByteBuf chunk) {
                transformer.feed(chunk);
            }

            @Override
            public CompletionStage<SmtpReply> end() {
                TransformResult result = transformer.finish();
                if (result instanceof TransformResult.Refused refused) {
                    return CompletableFuture.completedFuture(Replies.refusal(refused.refusal()));
                }
                ((TransformResult.Transformed) result).message().release();
                return CompletableFuture.completedFuture(NOT_CONNECTED);
            }

            @Override
            public void abort() {
                transformer.close();
            }
        };
    }
}
