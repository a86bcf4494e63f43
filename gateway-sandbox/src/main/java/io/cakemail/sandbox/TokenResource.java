package io.cakemail.sandbox;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.reactivestreams.Publisher;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.http.server.HttpServerRoutes;

/**
 * {@code POST /token}: the password grant (an MFA account gets a challenge) and the refresh grant, form-encoded.
 */
final class TokenResource {

    private final SandboxConfig config;
    private final TokenStore tokens;
    private final Faults faults;
    private final RandomIds ids;

    TokenResource(SandboxConfig config, TokenStore tokens, Faults faults, RandomIds ids) {
        this.config = config;
        this.tokens = tokens;
        this.faults = faults;
        this.ids = ids;
    }

    void register(HttpServerRoutes routes, CakemailSandbox.Counting counting) {
        routes.post("/token", counting.counted("POST /token", this::token));
    }

    private Publisher<Void> token(HttpServerRequest request, HttpServerResponse response) {
        return Answers.body(request)
                .flatMap(bytes -> faults.answer(request, response, () -> {
                    String contentType = request.requestHeaders().get(HttpHeaderNames.CONTENT_TYPE, "");
                    if (!contentType.startsWith("application/x-www-form-urlencoded")) {
                        return Answers.json(
                                response,
                                422,
                                Answers.details(Answers.detail(
                                        List.of("body", "username"), "field required", "value_error.missing")));
                    }
                    Map<String, List<String>> form =
                            new QueryStringDecoder(new String(bytes, StandardCharsets.UTF_8), false).parameters();
                    String grant = Answers.first(form, "grant_type", "password");
                    SandboxConfig.Account account;
                    if (grant.equals("password")) {
                        account = config.account(Answers.first(form, "username", ""));
                        if (account == null || !account.password().equals(Answers.first(form, "password", null))) {
                            return Answers.json(response, 401, Answers.unauthorized("Incorrect username or password"));
                        }
                        if (account.mfa()) {
                            return Answers.json(
                                    response,
                                    200,
                                    Answers.JSON.createObjectNode().put("challenge", ids.id()));
                        }
                    } else if (grant.equals("refresh_token")) {
                        account = tokens.redeem(Answers.first(form, "refresh_token", null));
                        if (account == null) {
                            return Answers.json(response, 401, Answers.unauthorized("Invalid refresh token"));
                        }
                    } else {
                        return Answers.json(
                                response,
                                422,
                                Answers.details(Answers.detail(
                                        List.of("body", "grant_type"),
                                        "value is not a valid enumeration member; permitted: 'password', 'refresh_token'",
                                        "type_error.enum")));
                    }
                    String[] issued = tokens.issue(account, config.tokenLifetime());
                    ObjectNode answer = Answers.JSON
                            .createObjectNode()
                            .put("access_token", issued[0])
                            .put("token_type", "bearer")
                            .put("expires_in", config.tokenLifetime().toSeconds())
                            .put("refresh_token", issued[1]);
                    ArrayNode accounts = answer.putArray("accounts").add(account.id());
                    account.subAccounts().forEach(accounts::add);
                    return Answers.json(response, 200, answer);
                }));
    }
}
