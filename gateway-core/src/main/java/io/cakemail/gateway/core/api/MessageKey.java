package io.cakemail.gateway.core.api;

import io.cakemail.gateway.core.json.SubmissionBody;
import io.cakemail.gateway.core.mime.HeaderField;
import io.cakemail.gateway.core.transform.ParsedMessage;
import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The identity of a message across a client's retries: a digest of its header fields as written and of its JSON. A
 * retry is the same message sent again, every octet alike; two messages composed apart differ in something a retry
 * keeps (their {@code Date}, their {@code Message-ID}, a signature's time) even when their content is the same, so
 * an alert sent again an hour later is a new message, sent to everyone. Never the Message-ID alone: mailing tools reuse
 * Message-IDs for different messages. Worked out when first asked, which most messages never are (only those with a
 * recipient to try again later, and their retries), so a large message is not hashed for nothing. Ask while the body is
 * still held.
 */
final class MessageKey {

    private final ParsedMessage message;
    private final SubmissionBody body;
    /** Racy but safe: two threads asking at once would both compute the same immutable string. */
    private String key;

    MessageKey(ParsedMessage message, SubmissionBody body) {
        this.message = message;
        this.body = body;
    }

    String get() {
        String known = key;
        if (known == null) {
            known = compute();
            key = known;
        }
        return known;
    }

    private String compute() {
        ByteBuf json = body.forRecipient("");
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (HeaderField field : message.headers()) {
                digest.update(field.name().getBytes(StandardCharsets.UTF_8));
                digest.update((byte) 0);
                digest.update(field.value().getBytes(StandardCharsets.UTF_8));
                digest.update((byte) 0);
            }
            digest.update((byte) 0);
            for (ByteBuffer buffer : json.nioBuffers()) {
                digest.update(buffer);
            }
            return "sha256:" + HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        } finally {
            json.release();
        }
    }
}
