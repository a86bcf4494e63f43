package io.cakemail.gateway.server.bridge;

import io.cakemail.gateway.common.SessionMessage;
import io.cakemail.gateway.core.api.ApiPrincipal;
import io.cakemail.gateway.core.api.CakemailClient;
import io.cakemail.gateway.core.api.Delivery;
import io.cakemail.gateway.core.memory.MemoryBudget;
import io.cakemail.gateway.core.transform.MessageTransformer;
import io.cakemail.gateway.core.transform.TransformConfig;
import io.cakemail.gateway.core.transform.TransformResult;
import io.cakemail.gateway.smtp.Envelope;
import io.cakemail.gateway.smtp.MessageReceiver;
import io.cakemail.gateway.smtp.MessageSink;
import io.cakemail.gateway.smtp.SmtpReplies;
import io.cakemail.gateway.smtp.SmtpReply;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Each message streams into the transformer, its content charged to the memory budget; at its end it is handed to
 * the Cakemail API for every recipient, and the reply says what the API did ({@link Replies#delivery}).
 */
public final class CakemailReceiver implements MessageReceiver {

    private final CakemailClient client;
    private final TransformConfig transformConfig;
    private final ByteBufAllocator allocator;
    private final MemoryBudget budget;
    private final DeliveryLog deliveryLog;

    public CakemailReceiver(
            CakemailClient client,
            TransformConfig transformConfig,
            ByteBufAllocator allocator,
            MemoryBudget budget,
            DeliveryLog deliveryLog) {
        this.client = client;
        this.transformConfig = transformConfig;
        this.allocator = allocator;
        this.budget = budget;
        this.deliveryLog = deliveryLog;
    }

    @Override
    public MessageSink open(Envelope envelope) {
        MessageTransformer transformer =
                new MessageTransformer(transformConfig, budget.newMessage(allocator, envelope.session()));
        return new MessageSink() {
            /** What the log line tells of the message, once known: set before the reply, read after it. */
            private String messageId;

            private Long accountId;
            private Delivery delivery;

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
                TransformResult.Transformed transformed = (TransformResult.Transformed) result;
                messageId = transformed.message().messageId();
                accountId = transformed.message().accountId();
                if (!(envelope.principal() instanceof ApiPrincipal principal)) {
                    transformed.message().release();
                    return CompletableFuture.completedFuture(SmtpReplies.AUTH_REQUIRED);
                }
                return client.deliver(principal, envelope.sender(), envelope.recipients(), transformed.message())
                        .map(delivery -> {
                            this.delivery = delivery;
                            deliveryLog.record(envelope, delivery);
                            return Replies.delivery(delivery);
                        })
                        .toFuture();
            }

            @Override
            public void describe(SessionMessage line) {
                if (messageId != null) {
                    line.field("email.message_id", messageId);
                }
                if (accountId != null) {
                    line.field("cakemail.account_id", accountId);
                }
                if (delivery != null) {
                    DeliveryLog.describe(delivery, line);
                }
            }

            @Override
            public void abort() {
                transformer.close();
            }
        };
    }
}
