package io.cakemail.gateway.core.api;

import io.cakemail.gateway.core.submission.ParsedMessage;
import io.cakemail.gateway.core.submission.SubmissionBody;
import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * The identity of a message across a client's retries: a digest of its Message-ID and of its JSON, never the
 * Message-ID alone (mailing tools reuse Message-IDs for different messages; the one sent again after a 451 must be
 * the same message). Worked out when first asked, which most messages never are (only those with a recipient answered
 * 451, and their retries), so a large message is not hashed for nothing. Ask while the body is still held.
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
            if (message.messageId() != null) {
                digest.update(
                        message.messageId().trim().toLowerCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8));
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
