package io.cakemail.sandbox;

import org.reactivestreams.Publisher;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.http.server.HttpServerRoutes;

/**
 * What tests and users steer the sandbox with: faults ({@code POST} and {@code DELETE /sandbox/faults}) and tokens ({@code POST /sandbox/tokens/expire} and {@code /revoke}). No authentication: the sandbox binds loopback, and
 * {@link LocalControl} answers only JSON posts addressed to a loopback name.
 */
final class ControlResource {

    private final Faults faults;
    private final TokenStore tokens;

    ControlResource(Faults faults, TokenStore tokens) {
        this.faults = faults;
        this.tokens = tokens;
    }

    void register(HttpServerRoutes routes) {
        routes.post("/sandbox/faults", LocalControl.json(this::addFault))
                .delete("/sandbox/faults", LocalControl.loopback((request, response) -> {
                    faults.clear();
                    return response.status(204).send();
                }))
                .post("/sandbox/tokens/expire", LocalControl.json((request, response) -> {
                    tokens.expireAll();
                    return response.status(204).send();
                }))
                .post("/sandbox/tokens/revoke", LocalControl.json((request, response) -> {
                    tokens.revokeAll();
                    return response.status(204).send();
                }));
    }

    private Publisher<Void> addFault(HttpServerRequest request, HttpServerResponse response) {
        return Answers.body(request).flatMap(bytes -> {
            try {
                faults.add(Answers.JSON.readValue(bytes, Fault.class));
                return response.status(204).send();
            } catch (java.io.IOException | IllegalArgumentException e) {
                return Answers.json(
                        response, 422, Answers.JSON.createObjectNode().put("detail", e.getMessage()));
            }
        });
    }
}
