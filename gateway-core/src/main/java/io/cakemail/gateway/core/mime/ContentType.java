package io.cakemail.gateway.core.mime;

import java.util.Map;

/**
 * A parsed {@code Content-Type}: {@code type/subtype} in lower case and its parameters.
 */
public record ContentType(String type, String subtype, Map<String, String> parameters) {

    public static final ContentType TEXT_PLAIN = new ContentType("text", "plain", Map.of());
    public static final ContentType MESSAGE_RFC822 = new ContentType("message", "rfc822", Map.of());

    /**
     * Parses a header value. A missing or malformed type gives {@code fallback} (RFC 2045 5.2); a multipart type
     * without a boundary is text/plain, as mail clients show it.
     */
    public static ContentType parse(String header, ContentType fallback) {
        if (header == null) {
            return fallback;
        }
        HeaderParameters parsed = HeaderParameters.parse(header);
        int slash = parsed.value().indexOf('/');
        if (slash <= 0 || slash == parsed.value().length() - 1) {
            return new ContentType(fallback.type, fallback.subtype, parsed.parameters());
        }
        String type = parsed.value().substring(0, slash).trim();
        String subtype = parsed.value().substring(slash + 1).trim();
        if (type.equals("multipart") && !hasBoundary(parsed.parameters())) {
            return new ContentType("text", "plain", parsed.parameters());
        }
        return new ContentType(type, subtype, parsed.parameters());
    }

    private static boolean hasBoundary(Map<String, String> parameters) {
        String boundary = parameters.get("boundary");
        return boundary != null && !boundary.isEmpty() && boundary.length() <= 200;
    }

    /** {@code type/subtype}. */
    public String mediaType() {
        return type + '/' + subtype;
    }

    public boolean isMultipart() {
        return type.equals("multipart");
    }

    public boolean is(String type, String subtype) {
        return this.type.equals(type) && this.subtype.equals(subtype);
    }

    /** A parameter's value, or {@code null}. */
    public String parameter(String name) {
        return parameters.get(name);
    }
}
