package io.cakemail.gateway.core.mime;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The open multiparts, innermost first, and the test of a line against their delimiters (RFC 2046 5.1.1): a line
 * is a delimiter of a multipart when it is {@code --boundary} or, closing it, {@code --boundary--}, with trailing
 * white space allowed. A line that ends a multipart outer to the innermost one also closes those inside it.
 */
final class Delimiters {

    /** An open multipart: its delimiter, depth, and the default type of its children. */
    record Multipart(byte[] delimiter, int depth, ContentType childType) {}

    /** A delimiter line: whose it is, and whether it closes the multipart. */
    record Match(Multipart multipart, boolean closes) {}

    private final Deque<Multipart> open = new ArrayDeque<>();

    boolean isEmpty() {
        return open.isEmpty();
    }

    /** Opens a multipart inside the innermost one. */
    void open(String boundary, int depth, ContentType childType) {
        open.push(new Multipart(("--" + boundary).getBytes(StandardCharsets.ISO_8859_1), depth, childType));
    }

    /** The innermost open multipart, or {@code null}. */
    Multipart innermost() {
        return open.peek();
    }

    /** Closes the innermost open multipart. */
    void close() {
        open.pop();
    }

    /**
     * Whether a line starting at {@code from} could be a delimiter of an open multipart: it starts with two
     * dashes, or the input (ending at {@code limit}) stops too early to tell.
     */
    boolean mayStart(ByteBuf buf, int from, int limit) {
        return !open.isEmpty()
                && (from >= limit || buf.getByte(from) == '-' && (from + 1 >= limit || buf.getByte(from + 1) == '-'));
    }

    /** The delimiter the line {@code [start, end)} (without line break) is, or {@code null}. */
    Match match(ByteBuf buf, int start, int end) {
        while (end > start && (buf.getByte(end - 1) == ' ' || buf.getByte(end - 1) == '\t')) {
            end--;
        }
        for (Multipart multipart : open) {
            byte[] delimiter = multipart.delimiter();
            int length = end - start;
            if ((length == delimiter.length || length == delimiter.length + 2) && startsWith(buf, start, delimiter)) {
                if (length == delimiter.length) {
                    return new Match(multipart, false);
                }
                if (buf.getByte(end - 2) == '-' && buf.getByte(end - 1) == '-') {
                    return new Match(multipart, true);
                }
            }
        }
        return null;
    }

    private static boolean startsWith(ByteBuf buf, int start, byte[] prefix) {
        for (int i = 0; i < prefix.length; i++) {
            if (buf.getByte(start + i) != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}
