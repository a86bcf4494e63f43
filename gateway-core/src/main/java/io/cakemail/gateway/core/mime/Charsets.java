package io.cakemail.gateway.core.mime;

import java.nio.charset.Charset;
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

    private static final Set<String> LATIN_LABELS = Set.of(
            "us-ascii",
            "ascii",
            "iso-8859-1",
            "latin1",
            "iso8859-1",
            "iso_8859-1",
            "windows-1252",
            "cp1252",
            "ansi_x3.4-1968");

    private Charsets() {}

    /** The charset named by {@code label} (a MIME charset parameter), or {@code null} if unknown. */
    public static Charset forLabel(String label) {
        if (label == null || label.isBlank()) {
            return null;
        }
        return lookup(label.trim().replace("\"", ""), null);
    }

    /** Decodes {@code bytes[offset, offset + length)} declared as {@code label} (which may be null). */
    public static String decode(byte[] bytes, int offset, int length, String label) {
        Utf8Validator utf8 = new Utf8Validator();
        utf8.update(bytes, offset, offset + length);
        return new String(bytes, offset, length, readAs(label, utf8));
    }

    /**
     * Whether body text labelled {@code label} is in a charset where ASCII bytes mean ASCII characters (so its line
     * breaks can be found byte by byte): every charset but UTF-16 and UTF-32. Unknown labels count as compatible.
     */
    public static boolean isAsciiCompatible(String label) {
        Charset declared = forLabel(label);
        return declared == null || isAsciiCompatible(declared);
    }

    /** Whether text labelled {@code label} is taken as UTF-8, as it is, when its bytes are well-formed UTF-8. */
    public static boolean keepsValidUtf8(String label) {
        Charset declared = forLabel(label);
        return isGuessed(declared, label) || declared.equals(StandardCharsets.UTF_8);
    }

    /** No label, an unknown one or a Latin one: valid UTF-8 is read as UTF-8, anything else as Windows-1252. */
    private static boolean isGuessed(Charset declared, String label) {
        return declared == null || LATIN_LABELS.contains(label.trim().toLowerCase(Locale.ROOT));
    }

    /**
     * The charset that text labelled {@code label} is read in, by the rules above, once its bytes have been through
     * {@code utf8}: a UTF-8 label on bytes that are not UTF-8 is believed if they hold at least one well-formed
     * multi-byte sequence.
     */
    public static Charset readAs(String label, Utf8Validator utf8) {
        Charset declared = forLabel(label);
        if (isGuessed(declared, label)) {
            return utf8.isValid() ? StandardCharsets.UTF_8 : WINDOWS_1252;
        }
        if (declared.equals(StandardCharsets.UTF_8)) {
            return utf8.isValid() || utf8.hasMultiByteSequence() ? StandardCharsets.UTF_8 : WINDOWS_1252;
        }
        return declared;
    }

    private static boolean isAsciiCompatible(Charset charset) {
        String name = charset.name().toLowerCase(Locale.ROOT);
        return !name.startsWith("utf-16")
                && !name.startsWith("utf-32")
                && !name.startsWith("x-utf-16")
                && !name.startsWith("x-utf-32")
                && !name.startsWith("utf_32");
    }

    /** Text from bytes of unknown charset, such as raw 8-bit header values: UTF-8 if valid, else Windows-1252. */
    public static String decodeUnlabelled(byte[] bytes, int offset, int length) {
        return decode(bytes, offset, length, null);
    }

    private static Charset lookup(String name, Charset fallback) {
        try {
            return Charset.forName(name);
        } catch (IllegalCharsetNameException | UnsupportedCharsetException e) {
            return fallback;
        }
    }
}
