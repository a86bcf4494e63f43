package io.cakemail.gateway.core.transform;

import java.text.Normalizer;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Maps a part to one of the API's {@code AttachmentType}s and gives it a filename that matches the API's pattern
 * {@code ^[a-zA-Z0-9-_]+\.(csv|doc|docx|ics|jpeg|pdf|png|xls|xlsx)$}.
 *
 * <p>The media type decides first; a generic one ({@code application/octet-stream} and friends) defers to the
 * filename's extension; a specific but unknown one still accepts a known extension. The extension of the result is
 * always the canonical one of its type, so {@code photo.JPG} becomes {@code photo.jpeg}.
 */
final class AttachmentTypes {

    /** What the refusal of an unsupported part lists. */
    public static final String SUPPORTED = "pdf, png, jpeg, csv, doc, docx, xls, xlsx, ics";

    private static final int MAX_BASE_NAME = 100;

    private static final Map<String, String> BY_MEDIA_TYPE = Map.ofEntries(
            Map.entry("application/pdf", "pdf"),
            Map.entry("application/x-pdf", "pdf"),
            Map.entry("application/acrobat", "pdf"),
            Map.entry("image/png", "png"),
            Map.entry("image/x-png", "png"),
            Map.entry("image/jpeg", "jpeg"),
            Map.entry("image/jpg", "jpeg"),
            Map.entry("image/pjpeg", "jpeg"),
            Map.entry("text/csv", "csv"),
            Map.entry("text/comma-separated-values", "csv"),
            Map.entry("application/csv", "csv"),
            Map.entry("application/msword", "doc"),
            Map.entry("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
            Map.entry("application/vnd.ms-excel", "xls"),
            Map.entry("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
            Map.entry("text/calendar", "calendar"),
            Map.entry("application/ics", "calendar"));

    private static final Map<String, String> BY_EXTENSION = Map.of(
            "pdf",
            "pdf",
            "png",
            "png",
            "jpg",
            "jpeg",
            "jpeg",
            "jpeg",
            "csv",
            "csv",
            "doc",
            "doc",
            "docx",
            "docx",
            "xls",
            "xls",
            "xlsx",
            "xlsx",
            "ics",
            "calendar");

    private static final Set<String> GENERIC = Set.of(
            "application/octet-stream",
            "application/x-download",
            "application/force-download",
            "application/download",
            "application/unknown",
            "binary/octet-stream",
            "application/binary");

    private AttachmentTypes() {}

    /** The API type for a part, or {@code null} if the API cannot carry it. */
    public static String typeOf(String mediaType, String filename) {
        String byMediaType = GENERIC.contains(mediaType) ? null : BY_MEDIA_TYPE.get(mediaType);
        return byMediaType != null ? byMediaType : BY_EXTENSION.get(extension(filename));
    }

    /** The canonical file extension of an API type. */
    public static String extensionOf(String type) {
        return type.equals("calendar") ? "ics" : type;
    }

    /**
     * A filename for the API: the original base name transliterated to ASCII, other characters replaced by
     * {@code _}, cut to 100 characters, {@code fallback} when nothing is left, and the type's extension.
     */
    public static String filename(String original, String type, String fallback) {
        String base = original == null ? "" : original;
        int slash = Math.max(base.lastIndexOf('/'), base.lastIndexOf('\\'));
        base = base.substring(slash + 1);
        int dot = base.lastIndexOf('.');
        if (dot > 0) {
            base = base.substring(0, dot);
        }
        base = Normalizer.normalize(base, Normalizer.Form.NFD)
                .replaceAll("\\p{M}+", "")
                .replaceAll("[^a-zA-Z0-9_-]+", "_")
                .replaceAll("^_+|_+$", "");
        if (base.length() > MAX_BASE_NAME) {
            base = base.substring(0, MAX_BASE_NAME);
        }
        return (base.isEmpty() ? fallback : base) + '.' + extensionOf(type);
    }

    private static String extension(String filename) {
        if (filename == null) {
            return "";
        }
        int dot = filename.lastIndexOf('.');
        return dot < 0 ? "" : filename.substring(dot + 1).trim().toLowerCase(Locale.ROOT);
    }
}
