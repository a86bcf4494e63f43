package io.cakemail.gateway.testing;

import io.cakemail.gateway.smtp.Envelope;
import io.cakemail.gateway.smtp.MessageReceiver;
import io.cakemail.gateway.smtp.MessageSink;
import io.cakemail.gateway.smtp.SmtpReply;
import io.netty.buffer.ByteBuf;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A receiver for tests: keeps every message it completes, and answers end-of-data with the reply computed by
 * {@code replies} on {@code executor}.
 */
public final class RecordingReceiver implements MessageReceiver {

    /** A message that reached end-of-data. */
    public record Message(Envelope envelope, byte[] content) {
        public String text() {
            return new String(content, StandardCharsets.UTF_8);
        }
    }

    private final List<Message> messages = new CopyOnWriteArrayList<>();
    private final AtomicInteger aborted = new AtomicInteger();
    private final Executor executor;
    private final Function<Message, SmtpReply> replies;

    public RecordingReceiver(Executor executor, Function<Message, SmtpReply> replies) {
        this.executor = executor;
        this.replies = replies;
    }

    /** Accepts every message at once with {@code 250 2.0.0 queued as <n>}. */
    public static RecordingReceiver accepting() {
        return new RecordingReceiver(Runnable::run, RecordingReceiver::queued);
    }

    /** The test's stand-in for an accepted hand-over. */
    public static SmtpReply queued(Message message) {
        return SmtpReply.of(250, "2.0.0", "Queued as test-" + message.content().length);
    }

    public List<Message> messages() {
        return messages;
    }

    /** How many messages were aborted before their end. */
    public int aborted() {
        return aborted.get();
    }

    @Override
    public MessageSink open(Envelope envelope) {
        return new MessageSink() {
            private final ByteArrayOutputStream content = new ByteArrayOutputStream();

            @Override
            public void content(ByteBuf chunk) {
                byte[] bytes = new byte[chunk.readableBytes()];
                chunk.getBytes(chunk.readerIndex(), bytes);
                content.writeBytes(bytes);
            }

            @Override
            public CompletionStage<SmtpReply> end() {
                Message message = new Message(envelope, content.toByteArray());
                messages.add(message);
                return CompletableFuture.supplyAsync(() -> replies.apply(message), executor);
            }

            @Override
            public void abort() {
                aborted.incrementAndGet();
            }
        };
    }
}
