package io.cakemail.sandbox;

import java.nio.ByteBuffer;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.UUID;

/**
 * The sandbox's random identifiers: email ids (UUIDs), tokens, MFA challenges. A DRBG seeded here, on the starting
 * thread: once seeded it never reads the entropy source again, so event loops can draw from it without blocking (the
 * default NativePRNG reads /dev/urandom on every call).
 */
final class RandomIds {

    private final SecureRandom random;

    RandomIds() {
        try {
            random = SecureRandom.getInstance("DRBG");
            random.nextBytes(new byte[16]);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no DRBG SecureRandom", e);
        }
    }

    SecureRandom random() {
        return random;
    }

    /** A random (version 4) UUID. */
    String uuid() {
        byte[] bytes = new byte[16];
        random.nextBytes(bytes);
        bytes[6] = (byte) (bytes[6] & 0x0f | 0x40);
        bytes[8] = (byte) (bytes[8] & 0x3f | 0x80);
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        return new UUID(buffer.getLong(), buffer.getLong()).toString();
    }

    /** 128 random bits, base64url. */
    String id() {
        byte[] bytes = new byte[16];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
