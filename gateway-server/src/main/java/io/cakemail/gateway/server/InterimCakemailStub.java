package io.cakemail.gateway.server;

import io.cakemail.gateway.smtp.AuthResult;
import io.cakemail.gateway.smtp.Envelope;
import io.cakemail.gateway.smtp.MessageReceiver;
import io.cakemail.gateway.smtp.MessageSink;
import io.cakemail.gateway.smtp.SmtpAuthenticator;
import io.cakemail.gateway.smtp.SmtpReply;
import io.netty.buffer.ByteBuf;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Stands in for the Cakemail integration until it lands: AUTH accepts any non-empty credentials (nothing can be
 * sent with them) and every message is refused at end-of-data with {@code 451 4.3.0}, so no client is ever told
 * that mail was accepted.
 */
final class InterimCakemailStub implements SmtpAuthenticator, MessageReceiver {

    static final SmtpReply NOT_CONNECTED = SmtpReply.of(451, "4.3.0",
            "This gateway is not connected to the Cakemail API yet; the message was not accepted, try again later");

    @Override
    public CompletionStage<AuthResult> authenticate(String username, String password) {
        return CompletableFuture.completedFuture(username.isEmpty() || password.isEmpty()
                ? AuthResult.rejected() : AuthResult.success(() -> username));
    }

    @Override
    public MessageSink open(Envelope envelope) {
        return new MessageSink() {
            @Override
            public void content(ByteBuf chunk) {
                // nothing is kept: the message is refused at its end
            }

            @Override
            public CompletionStage<SmtpReply> end() {
                return CompletableFuture.completedFuture(NOT_CONNECTED);
            }

            @Override
            public void abort() {
                // nothing held
            }
        };
    }
}
