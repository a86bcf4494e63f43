package io.cakemail.sandbox;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.util.List;
import java.util.Map;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * How the sandbox answers, in the API's shapes: JSON bodies, FastAPI's {@code detail} arrays for 400, 401, 403 and
 * 422, and the reading of request bodies and query parameters every resource shares.
 */
final class Answers {

    /** Strings as long as a request may carry: Jackson's default cap (20 million characters) is not the API's. */
    static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxStringLength(Integer.MAX_VALUE)
                    .build())
            .build());

    private Answers() {}

    static Mono<byte[]> body(HttpServerRequest request) {
        return request.receive().aggregate().asByteArray().defaultIfEmpty(new byte[0]);
    }

    static Mono<Void> json(HttpServerResponse response, int status, JsonNode body) {
        byte[] bytes;
        try {
            bytes = JSON.writeValueAsBytes(body);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return Mono.error(e);
        }
        return response.status(status)
                .header(HttpHeaderNames.CONTENT_TYPE, "application/json")
                .sendByteArray(Mono.just(bytes))
                .then();
    }

    static ObjectNode details(ObjectNode detail) {
        ObjectNode body = JSON.createObjectNode();
        body.putArray("detail").add(detail);
        return body;
    }

    static ObjectNode detail(List<String> loc, String message, String type) {
        ObjectNode detail = JSON.createObjectNode();
        ArrayNode location = detail.putArray("loc");
        loc.forEach(location::add);
        return detail.put("msg", message).put("type", type);
    }

    static ObjectNode badRequest(String message) {
        ObjectNode detail = JSON.createObjectNode().put("msg", message).put("type", "bad_request");
        return details(detail);
    }

    static ObjectNode unauthorized(String message) {
        return details(
                JSON.createObjectNode().put("code", 401).put("msg", message).put("type", "unauthorized"));
    }

    static ObjectNode forbidden(String message) {
        return details(
                JSON.createObjectNode().put("code", 403).put("msg", message).put("type", "forbidden"));
    }

    /** The query parameter {@code name} as an integer, {@code fallback} when absent, {@code null} when not one. */
    static Long integer(Map<String, List<String>> query, String name, long fallback) {
        String value = first(query, name, null);
        if (value == null) {
            return fallback;
        }
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** {@code 422} for a query parameter that is not an integer, as FastAPI answers it. */
    static Mono<Void> notAnInteger(HttpServerResponse response, String name) {
        return badQuery(response, name, "value is not a valid integer", "type_error.integer");
    }

    /** {@code 422} for the query parameter {@code name}, as FastAPI answers a value it cannot take. */
    static Mono<Void> badQuery(HttpServerResponse response, String name, String message, String type) {
        return json(response, 422, details(detail(List.of("query", name), message, type)));
    }

    static String first(Map<String, List<String>> parameters, String name, String fallback) {
        List<String> values = parameters.get(name);
        return values == null || values.isEmpty() ? fallback : values.get(0);
    }

    static Mono<Void> notAuthenticated(HttpServerRequest request, HttpServerResponse response) {
        boolean presented = request.requestHeaders().contains(HttpHeaderNames.AUTHORIZATION);
        response.header(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer");
        return json(
                response,
                401,
                JSON.createObjectNode()
                        .put("detail", presented ? "Could not validate credentials" : "Not authenticated"));
    }
}
