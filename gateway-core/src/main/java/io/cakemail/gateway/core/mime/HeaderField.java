package io.cakemail.gateway.core.mime;

import static java.util.Objects.requireNonNull;

import java.util.Locale;

/**
 * One header field: its name as written, its unfolded value, encoded words left as they are (see
 * {@link #decodedValue()}), and its name lower-cased once for the lookups that ignore case.
 */
public record HeaderField(String name, String value, String lowerCaseName) {

    public HeaderField {
        requireNonNull(name, "name");
        requireNonNull(value, "value");
        requireNonNull(lowerCaseName, "lowerCaseName");
    }

    public HeaderField(String name, String value) {
        this(name, value, name.toLowerCase(Locale.ROOT));
    }

    /** Whether this field is called {@code other}, ignoring case. */
    public boolean is(String other) {
        return name.equalsIgnoreCase(other);
    }

    /** The value with RFC 2047 encoded words decoded. */
    public String decodedValue() {
        return EncodedWords.decode(value);
    }
}
