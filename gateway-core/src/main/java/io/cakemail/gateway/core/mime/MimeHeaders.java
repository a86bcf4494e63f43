package io.cakemail.gateway.core.mime;

import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The header block of one part: its fields in order, and what MIME makes of them.
 */
public final class MimeHeaders {

    private final List<HeaderField> fields;
    private final ContentType contentType;

    private MimeHeaders(List<HeaderField> fields, ContentType defaultType) {
        this.fields = List.copyOf(fields);
        this.contentType = ContentType.parse(value("Content-Type"), defaultType);
    }

    /** Splits a header block (lines ending in CRLF or LF) into unfolded fields; lines that are no field are skipped. */
    static MimeHeaders parse(ByteBuf block, ContentType defaultType) {
        List<HeaderField> fields = new ArrayList<>();
        byte[] bytes = new byte[block.readableBytes()];
        block.getBytes(block.readerIndex(), bytes);
        String text = Charsets.decodeUnlabelled(bytes, 0, bytes.length);
        StringBuilder field = new StringBuilder();
        for (int start = 0; start < text.length(); ) {
            int lf = text.indexOf('\n', start);
            int next = lf < 0 ? text.length() : lf + 1;
            int end = lf > start && text.charAt(lf - 1) == '\r' ? lf - 1 : lf < 0 ? text.length() : lf;
            char first = end > start ? text.charAt(start) : 0;
            if ((first == ' ' || first == '\t') && field.length() > 0) {
                field.append(text, start, end); // unfolding removes the line break only (RFC 5322 2.2.3)
            } else {
                add(fields, field);
                field.setLength(0);
                field.append(text, start, end);
            }
            start = next;
        }
        add(fields, field);
        return new MimeHeaders(fields, defaultType);
    }

    private static void add(List<HeaderField> fields, CharSequence field) {
        String line = field.toString();
        int colon = line.indexOf(':');
        if (colon <= 0) {
            return;
        }
        String name = line.substring(0, colon).trim();
        if (!name.isEmpty()) {
            fields.add(new HeaderField(name, line.substring(colon + 1).trim()));
        }
    }

    /** Every field, in order. */
    public List<HeaderField> fields() {
        return fields;
    }

    /** The first value of {@code name} (any case), or {@code null}. */
    public String value(String name) {
        for (HeaderField field : fields) {
            if (field.is(name)) {
                return field.value();
            }
        }
        return null;
    }

    public ContentType contentType() {
        return contentType;
    }

    /** The Content-Transfer-Encoding, lower-cased; {@code 7bit} when absent. */
    public String transferEncoding() {
        String encoding = value("Content-Transfer-Encoding");
        return encoding == null ? "7bit" : encoding.trim().toLowerCase(Locale.ROOT);
    }

    /** The Content-Disposition, or {@code null} when absent. */
    public HeaderParameters disposition() {
        String disposition = value("Content-Disposition");
        return disposition == null ? null : HeaderParameters.parse(disposition);
    }

    /** The disposition's {@code filename}, else the content type's {@code name}, else {@code null}. */
    public String filename() {
        HeaderParameters disposition = disposition();
        String filename = disposition == null ? null : disposition.parameter("filename");
        if (filename == null || filename.isBlank()) {
            filename = contentType.parameter("name");
        }
        return filename == null || filename.isBlank() ? null : filename.trim();
    }

    /** The Content-ID without its angle brackets, or {@code null}. */
    public String contentId() {
        String id = value("Content-ID");
        if (id == null) {
            return null;
        }
        id = id.trim();
        if (id.startsWith("<") && id.endsWith(">")) {
            id = id.substring(1, id.length() - 1);
        }
        return id.isEmpty() ? null : id;
    }
}
