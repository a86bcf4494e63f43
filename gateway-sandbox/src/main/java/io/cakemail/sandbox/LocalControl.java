package io.cakemail.sandbox;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import java.util.Locale;
import java.util.function.BiFunction;
import org.reactivestreams.Publisher;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * The guard of the endpoints that steer the sandbox (faults, tokens, clearing the inbox), which have no
 * authentication: they answer only requests addressed to a loopback name ({@code Host} of {@code localhost},
 * {@code 127.0.0.1} or {@code [::1]}, so a page reached by DNS rebinding cannot use them), and their posts must be
 * JSON ({@code Content-Type: application/json}, which a page of another origin cannot send without a CORS preflight
 * the sandbox never grants). Anything else gets {@code 403} or {@code 415} and changes nothing.
 */
final class LocalControl {

    private LocalControl() {}

    /** {@code handler}, for requests addressed to a loopback name. */
    static BiFunction<HttpServerRequest, HttpServerResponse, Publisher<Void>> loopback(
            BiFunction<HttpServerRequest, HttpServerResponse, Publisher<Void>> handler) {
        return (request, response) -> isLoopback(request.requestHeaders().get(HttpHeaderNames.HOST))
                ? handler.apply(request, response)
                : Answers.json(
                        response,
                        403,
                        Answers.forbidden("the sandbox's control endpoints answer only requests to localhost"));
    }

    /** {@code handler}, for JSON posts addressed to a loopback name. */
    static BiFunction<HttpServerRequest, HttpServerResponse, Publisher<Void>> json(
            BiFunction<HttpServerRequest, HttpServerResponse, Publisher<Void>> handler) {
        return loopback((request, response) -> isJson(request.requestHeaders().get(HttpHeaderNames.CONTENT_TYPE))
                ? handler.apply(request, response)
                : Answers.json(
                        response,
                        415,
                        Answers.JSON.createObjectNode().put("detail", "Content-Type must be application/json")));
    }

    private static boolean isJson(String contentType) {
        return contentType != null
                && contentType.toLowerCase(Locale.ROOT).startsWith(HttpHeaderValues.APPLICATION_JSON.toString());
    }

    static boolean isLoopback(String host) {
        if (host == null) {
            return false;
        }
        String name = host.toLowerCase(Locale.ROOT);
        if (name.startsWith("[")) {
            return name.startsWith("[::1]");
        }
        int colon = name.indexOf(':');
        name = colon < 0 ? name : name.substring(0, colon);
        return name.equals("localhost") || name.equals("127.0.0.1");
    }
}
