package io.cakemail.gateway.core.transform;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cakemail.gateway.core.json.SubmissionBody;
import io.cakemail.gateway.core.json.SubmissionJson;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Random;
import java.util.function.IntSupplier;

/**
 * Runs messages through {@link MessageTransformer} the way the SMTP layer does (in chunks) and renders the outcome
 * as one JSON document: {@code {"body": <SubmitEmail for recipient@example.com>, "account_id": n, "do_not_deliver":
 * header, "metadata": {...}}} (the last three when the message has them) or {@code {"refused": {...}}}. The sender id stands in for the directory lookup of the API client: X-Sender-Id, else
 * {@code sender-of:<From address>}.
 */
final class Transforms {

    static final String RECIPIENT = "recipient@example.com";
    static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Each kind of refusal as the SMTP bridge answers it ({@code Replies} in the server, pinned by its
     * {@code ReplyTableTest}), written into the golden files as the client reads it.
     */
    private static final Map<Refusal.Kind, String> REPLIES = Map.of(
            Refusal.Kind.TOO_LARGE, "552 5.3.4",
            Refusal.Kind.NO_ROOM, "452 4.3.1",
            Refusal.Kind.BAD_CONTENT, "554 5.6.0",
            Refusal.Kind.UNSUPPORTED_MEDIA, "554 5.6.1");

    private Transforms() {}

    /** The outcome with the message fed in one chunk. */
    static JsonNode whole(byte[] message, TransformConfig config) {
        return render(transform(message, config, () -> message.length));
    }

    /** The outcome with the message fed one byte at a time. */
    static JsonNode byteByByte(byte[] message, TransformConfig config) {
        return render(transform(message, config, () -> 1));
    }

    /** The outcome with the message fed in random chunks of 1 to {@code max} bytes. */
    static JsonNode randomChunks(byte[] message, TransformConfig config, Random random, int max) {
        return render(transform(message, config, () -> 1 + random.nextInt(max)));
    }

    /** Transforms {@code message} fed in pooled chunks of the sizes {@code chunkSizes} gives, as SMTP would. */
    static TransformResult transform(byte[] message, TransformConfig config, IntSupplier chunkSizes) {
        try (MessageTransformer transformer = new MessageTransformer(config, PooledByteBufAllocator.DEFAULT)) {
            for (int offset = 0; offset < message.length; ) {
                int size = Math.min(message.length - offset, chunkSizes.getAsInt());
                ByteBuf chunk = PooledByteBufAllocator.DEFAULT.buffer(size).writeBytes(message, offset, size);
                try {
                    transformer.feed(chunk);
                } finally {
                    chunk.release();
                }
                offset += size;
            }
            return transformer.finish();
        }
    }

    static JsonNode render(TransformResult result) {
        ObjectNode outcome = JSON.createObjectNode();
        if (result instanceof TransformResult.Refused refused) {
            ObjectNode refusal = outcome.putObject("refused");
            String[] reply = REPLIES.get(refused.refusal().kind()).split(" ");
            refusal.put("code", Integer.parseInt(reply[0]));
            refusal.put("enhanced_status", reply[1]);
            refusal.put("reason", refused.refusal().reason());
            return normalized(outcome);
        }
        ParsedMessage message = ((TransformResult.Transformed) result).message();
        SubmissionBody body = SubmissionJson.write(
                message,
                senderId(message),
                message.emailType() != null ? message.emailType() : "transactional",
                message.listId());
        message.release();
        ByteBuf request = body.forRecipient(RECIPIENT);
        try {
            outcome.set("body", JSON.readTree(request.toString(StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            request.release();
            body.release();
        }
        if (message.accountId() != null) {
            outcome.put("account_id", message.accountId());
        }
        if (message.doNotDeliver() != null) {
            outcome.put("do_not_deliver", message.doNotDeliver());
        }
        if (!message.metadata().isEmpty()) {
            message.metadata().forEach(outcome.putObject("metadata")::put);
        }
        return normalized(outcome);
    }

    /** The tree as it reads back from text, so numbers compare equal to those of the golden files. */
    private static JsonNode normalized(JsonNode tree) {
        try {
            return JSON.readTree(JSON.writeValueAsString(tree));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String senderId(ParsedMessage message) {
        if (message.senderId() != null) {
            return message.senderId();
        }
        return "sender-of:"
                + (message.from().address() == null ? "unknown" : message.from().address());
    }
}
