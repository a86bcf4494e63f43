package io.cakemail.gateway.core.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * A complete API answer: status, headers and body.
 */
public record ApiResponse(int status, HttpHeaders headers, byte[] body) {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_REASON = 300;

    /** The {@code data.id} and {@code data.status} of a {@code 201} to {@code POST /v2/emails}. */
    public record Submitted(String id, String status) {}

    /** Reads {@code data.id} and {@code data.status} with a streaming parser, without building a tree. */
    public Submitted submitted() {
        String id = "";
        String status = "";
        try (JsonParser parser = JSON.getFactory().createParser(body)) {
            int depth = 0;
            boolean inData = false;
            for (JsonToken token; (token = parser.nextToken()) != null; ) {
                if (token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY) {
                    depth++;
                } else if (token == JsonToken.END_OBJECT || token == JsonToken.END_ARRAY) {
                    inData &= --depth > 1;
                } else if (token == JsonToken.FIELD_NAME) {
                    String name = parser.currentName();
                    if (depth == 1 && name.equals("data")) {
                        inData = true;
                    } else if (inData && depth == 2 && (name.equals("id") || name.equals("status"))) {
                        parser.nextToken();
                        if (name.equals("id")) {
                            id = parser.getValueAsString("");
                        } else {
                            status = parser.getValueAsString("");
                        }
                    }
                }
            }
        } catch (IOException e) {
            return new Submitted(id, status.isEmpty() ? "unreadable" : status);
        }
        return new Submitted(id, status);
    }

    /** {@code Retry-After} as seconds or an HTTP date (RFC 9110 10.2.3), in nanoseconds from now; 0 without one. */
    public long retryAfterNanos() {
        String value = headers().get(HttpHeaderNames.RETRY_AFTER);
        if (value == null || value.isBlank()) {
            return 0;
        }
        try {
            return Duration.ofSeconds(Math.max(0, Long.parseLong(value.trim()))).toNanos();
        } catch (NumberFormatException notSeconds) {
            try {
                Instant at = ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME)
                        .toInstant();
                return Math.max(0, Duration.between(Instant.now(), at).toNanos());
            } catch (DateTimeParseException neither) {
                return 0;
            }
        }
    }

    /** The body as JSON, or a missing node when it is not JSON. */
    public JsonNode json() {
        try {
            JsonNode node = JSON.readTree(body);
            return node == null ? MissingNode.getInstance() : node;
        } catch (IOException e) {
            return MissingNode.getInstance();
        }
    }

    /**
     * The API's reason on one line: the {@code msg} of each {@code detail} entry when {@code detail} is an array,
     * {@code detail} itself when it is a string, else the start of the raw body. Control characters become spaces.
     */
    public String reason() {
        JsonNode detail = json().path("detail");
        String reason;
        if (detail.isArray() && !detail.isEmpty()) {
            StringBuilder joined = new StringBuilder();
            for (JsonNode entry : detail) {
                if (joined.length() > 0) {
                    joined.append("; ");
                }
                JsonNode loc = entry.path("loc");
                if (loc.isArray() && !loc.isEmpty()) {
                    joined.append(locationOf(loc)).append(": ");
                }
                joined.append(entry.path("msg").asText(entry.toString()));
            }
            reason = joined.toString();
        } else if (detail.isTextual()) {
            reason = detail.asText();
        } else {
            reason = new String(body, StandardCharsets.UTF_8);
        }
        reason = reason.replaceAll("[\\p{Cntrl}]+", " ").trim();
        if (reason.isEmpty()) {
            reason = "HTTP " + status;
        }
        return reason.length() > MAX_REASON ? reason.substring(0, MAX_REASON) + "..." : reason;
    }

    private static String locationOf(JsonNode loc) {
        StringBuilder path = new StringBuilder();
        for (JsonNode part : loc) {
            if (part.isTextual() && part.asText().equals("body") && path.length() == 0) {
                continue;
            }
            if (path.length() > 0) {
                path.append('.');
            }
            path.append(part.asText());
        }
        return path.length() == 0 ? "body" : path.toString();
    }
}
