package io.cakemail.gateway.smtp;

import static java.util.Objects.requireNonNull;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A server reply: a three-digit code, an optional enhanced status code (RFC 3463) and one or more lines of text.
 * Instances are immutable and encode themselves once, so constant replies cost nothing to send again.
 * Text is sanitised: CR, LF and other control characters become spaces, so a reply can never break framing.
 */
public final class SmtpReply {

    private final int code;
    private final String enhancedStatus;
    private final List<String> lines;
    private final byte[] encoded;

    private SmtpReply(int code, String enhancedStatus, List<String> lines) {
        if (code < 200 || code > 599) {
            throw new IllegalArgumentException("code: " + code + " (expected: 200-599)");
        }
        if (enhancedStatus != null) {
            if (!isEnhancedStatus(enhancedStatus) || enhancedStatus.charAt(0) != '0' + code / 100) {
                throw new IllegalArgumentException("enhancedStatus: " + enhancedStatus + " (expected: " + code / 100
                        + ".x.y for code " + code + ')');
            }
        }
        if (lines.isEmpty()) {
            throw new IllegalArgumentException("lines: empty (expected: at least one line)");
        }
        this.code = code;
        this.enhancedStatus = enhancedStatus;
        this.lines = sanitizeAll(lines);
        this.encoded = encode();
    }

    /** A one-line reply with an enhanced status code. */
    public static SmtpReply of(int code, String enhancedStatus, String text) {
        return new SmtpReply(code, requireNonNull(enhancedStatus, "enhancedStatus"), List.of(text));
    }

    /** A one-line reply without an enhanced status code (greeting, {@code 354}, {@code 334}). */
    public static SmtpReply withoutStatus(int code, String text) {
        return new SmtpReply(code, null, List.of(text));
    }

    /** A multi-line reply; {@code enhancedStatus} may be {@code null} (EHLO). */
    public static SmtpReply multiline(int code, String enhancedStatus, List<String> lines) {
        return new SmtpReply(code, enhancedStatus, List.copyOf(lines));
    }

    public int code() {
        return code;
    }

    /** The enhanced status code, such as {@code 5.7.8}, or {@code null}. */
    public String enhancedStatus() {
        return enhancedStatus;
    }

    public List<String> lines() {
        return lines;
    }

    /** {@code 2xx} or {@code 3xx}. */
    public boolean isPositive() {
        return code < 400;
    }

    /** {@code 4xx}: the client should try again later. */
    public boolean isTransient() {
        return code >= 400 && code < 500;
    }

    /** {@code 5xx}: the client should not repeat the same request. */
    public boolean isPermanent() {
        return code >= 500;
    }

    public byte[] encoded() {
        return encoded;
    }

    /** The reply as it goes on the wire, in a read-only buffer over its octets (nothing to release). */
    public ByteBuf toByteBuf() {
        return Unpooled.wrappedBuffer(encoded).asReadOnly();
    }

    private byte[] encode() {
        StringBuilder sb = new StringBuilder(32 * lines.size());
        for (int i = 0; i < lines.size(); i++) {
            sb.append(code).append(i == lines.size() - 1 ? ' ' : '-');
            if (enhancedStatus != null) {
                sb.append(enhancedStatus).append(' ');
            }
            sb.append(lines.get(i)).append("\r\n");
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** {@code class.subject.detail} (RFC 3463): class 2, 4 or 5, then two numbers of one to three digits. */
    private static boolean isEnhancedStatus(String status) {
        if (status.length() < 5 || "245".indexOf(status.charAt(0)) < 0 || status.charAt(1) != '.') {
            return false;
        }
        int dot = status.indexOf('.', 2);
        return dot > 0 && isNumber(status, 2, dot) && isNumber(status, dot + 1, status.length());
    }

    private static boolean isNumber(String text, int from, int to) {
        if (to - from < 1 || to - from > 3) {
            return false;
        }
        for (int i = from; i < to; i++) {
            if (text.charAt(i) < '0' || text.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    private static List<String> sanitizeAll(List<String> lines) {
        String[] sanitized = new String[lines.size()];
        for (int i = 0; i < sanitized.length; i++) {
            sanitized[i] = sanitize(lines.get(i));
        }
        return List.of(sanitized);
    }

    private static String sanitize(String text) {
        requireNonNull(text, "text");
        StringBuilder sb = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                if (sb == null) {
                    sb = new StringBuilder(text);
                }
                sb.setCharAt(i, ' ');
            }
        }
        return sb == null ? text : sb.toString();
    }

    @Override
    public String toString() {
        return new String(encoded, 0, encoded.length - 2, StandardCharsets.UTF_8).replace("\r\n", " | ");
    }
}
