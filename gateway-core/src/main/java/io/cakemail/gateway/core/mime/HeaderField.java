package io.cakemail.gateway.core.mime;

import static java.util.Objects.requireNonNull;

/**
 * One header field: its name as written and its unfolded value, encoded words left as they are (see
 * {@link #decodedValue()}).
 */
public record HeaderField(String name, String value) {

    public HeaderField {
        requireNonNull(name, "name");
        requireNonNull(value, "value");
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
