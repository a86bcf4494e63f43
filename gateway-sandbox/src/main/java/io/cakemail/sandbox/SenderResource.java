package io.cakemail.sandbox;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.List;
import java.util.Map;
import org.reactivestreams.Publisher;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.http.server.HttpServerRoutes;

/**
 * {@code GET /brands/default/senders}: an account's senders, paginated, capped at {@link SandboxConfig#sendersPerPage}.
 */
final class SenderResource {

    private static final int MAX_PER_PAGE = 100;

    private final SandboxConfig config;
    private final TokenStore tokens;
    private final Faults faults;

    SenderResource(SandboxConfig config, TokenStore tokens, Faults faults) {
        this.config = config;
        this.tokens = tokens;
        this.faults = faults;
    }

    void register(HttpServerRoutes routes, CakemailSandbox.Counting counting) {
        routes.get("/brands/default/senders", counting.counted("GET /brands/default/senders", this::senders));
    }

    private Publisher<Void> senders(HttpServerRequest request, HttpServerResponse response) {
        return faults.answer(request, response, () -> {
            TokenStore.Session session = tokens.session(request);
            if (session == null) {
                return Answers.notAuthenticated(request, response);
            }
            Map<String, List<String>> query = new QueryStringDecoder(request.uri()).parameters();
            Long page = Answers.integer(query, "page", 1);
            Long perPage = Answers.integer(query, "per_page", 50);
            if (page == null || perPage == null) {
                return Answers.notAnInteger(response, page == null ? "page" : "per_page");
            }
            if (page < 1 || perPage < 1 || perPage > MAX_PER_PAGE) {
                return Answers.json(
                        response,
                        422,
                        Answers.details(Answers.detail(
                                List.of("query", "per_page"),
                                "ensure this value is less than or equal to " + MAX_PER_PAGE,
                                "value_error.number.not_le")));
            }
            List<SandboxConfig.Sender> all = session.account().senders();
            ObjectNode answer = Answers.JSON.createObjectNode();
            ObjectNode pagination =
                    answer.putObject("pagination").put("page", page).put("per_page", perPage);
            if (Boolean.parseBoolean(Answers.first(query, "with_count", "false"))) {
                pagination.put("count", all.size());
            }
            ArrayNode data = answer.putArray("data");
            int served = (int) Math.min(perPage, config.sendersPerPage()); // capped without saying so, as may a server
            for (long i = (page - 1) * served; i < Math.min(all.size(), page * served); i++) {
                SandboxConfig.Sender sender = all.get((int) i);
                ObjectNode item = data.addObject()
                        .put("id", sender.id())
                        .put("name", sender.name())
                        .put("email", sender.email())
                        .put("confirmed", sender.confirmed())
                        .put("language", "en_US");
                if (sender.confirmed()) {
                    item.put("confirmed_on", 1_700_000_000L);
                }
            }
            return Answers.json(response, 200, answer);
        });
    }
}
