package io.cakemail.gateway.core.mime;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.StandardCharsets;
import java.nio.charset.UnsupportedCharsetException;
import java.util.Locale;
import java.util.Set;

/**
 * Turns bytes in a declared charset into text, the way mail clients cope with missing, unknown and lying labels:
 * <ul>
 *   <li>no label or an unknown one: UTF-8 when the bytes are valid UTF-8, Windows-1252 otherwise;</li>
 *   <li>a US-ASCII, ISO-8859-1 or Windows-1252 label on bytes that are valid UTF-8 with non-ASCII sequences:
 *       UTF-8 (a common mislabel; real Latin-1 text is almost never valid UTF-8); otherwise Windows-1252, the
 *       superset browsers use for all three;</li>
 *   <li>a UTF-8 label on bytes that are not UTF-8 and hold no valid multi-byte sequence at all: Windows-1252;</li>
 *   <li>any other known label: that charset, malformed input replaced with U+FFFD.</li>
 * </ul>
 */
public final class Charsets {

    /** Windows-1252, or ISO-8859-1 on a JVM without it. */
    public static final Charset WINDOWS_1252 = lookup("windows-1252", StandardCharsets.ISO_8859_1);

    private static final Set<String> LATIN_LABELS = Set.of("us-ascii", "ascii", "iso-8859-1", "latin1", "iso8859-1",
            "iso_8859-1", "windows-1252", "cp1252", "ansi_x3.4-1968");

    private Charsets() {
    }

    /** The charset named by {@code label} (a MIME charset parameter), or {@code null} if unknown. */
    public static Charset forLabel(String label) {
        if (label == null || label.isBlank()) {
            return null;
        }
        return lookup(label.trim().replace("\"", ""), null);
    }

    /** Decodes {@code bytes[offset, offset + length)} declared as {@code label} (which may be null). */
    public static String decode(byte[] bytes, int offset, int length, String label) {
        String normalized = label == null ? "" : label.trim().toLowerCase(Locale.ROOT);
        Charset declared = forLabel(label);
        if (declared == null || LATIN_LABELS.contains(normalized)) {
            String utf8 = strictUtf8(bytes, offset, length);
            return utf8 != null ? utf8 : new String(bytes, offset, length, WINDOWS_1252);
        }
        if (declared.equals(StandardCharsets.UTF_8)) {
            String utf8 = strictUtf8(bytes, offset, length);
            if (utf8 != null) {
                return utf8;
            }
            String lenient = new String(bytes, offset, length, StandardCharsets.UTF_8);
            return hasMultiByteCharacter(lenient) ? lenient : new String(bytes, offset, length, WINDOWS_1252);
        }
        return new String(bytes, offset, length, declared);
    }

    /** Text from bytes of unknown charset, such as raw 8-bit header values: UTF-8 if valid, else Windows-1252. */
    public static String decodeUnlabelled(byte[] bytes, int offset, int length) {
        return decode(bytes, offset, length, null);
    }

    private static String strictUtf8(byte[] bytes, int offset, int length) {
        boolean ascii = true;
        for (int i = offset; i < offset + length; i++) {
            if (bytes[i] < 0) {
                ascii = false;
                break;
            }
        }
        if (ascii) {
            return new String(bytes, offset, length, StandardCharsets.US_ASCII);
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                                         .onMalformedInput(CodingErrorAction.REPORT)
                                         .onUnmappableCharacter(CodingErrorAction.REPORT)
                                         .decode(ByteBuffer.wrap(bytes, offset, length))
                                         .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static boolean hasMultiByteCharacter(String text) {
        return text.chars().anyMatch(c -> c >= 0x80 && c != 0xFFFD);
    }

    private static Charset lookup(String name, Charset fallback) {
        try {
            return Charset.forName(name);
        } catch (IllegalCharsetNameException | UnsupportedCharsetException e) {
            return fallback;
        }
    }
}
