package io.cakemail.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.http.server.HttpServerRoutes;

/**
 * {@code POST /v2/emails} with the API's validation and answers, and {@code GET /v2/emails/{id}}; the accepted ones go to the {@link Inbox}, and the latest request bodies (valid or not, as many as the inbox keeps) are kept for tests.
 */
final class EmailResource {

    private static final Logger log = LogManager.getLogger(CakemailSandbox.class);

    private final SandboxConfig config;
    private final TokenStore tokens;
    private final Faults faults;
    private final Inbox inbox;
    private final RandomIds ids;
    /** The latest request bodies, valid or not, as many as the inbox keeps. */
    private final Deque<JsonNode> submissions = new ArrayDeque<>();

    EmailResource(SandboxConfig config, TokenStore tokens, Faults faults, Inbox inbox, RandomIds ids) {
        this.config = config;
        this.tokens = tokens;
        this.faults = faults;
        this.inbox = inbox;
        this.ids = ids;
    }

    void register(HttpServerRoutes routes, CakemailSandbox.Counting counting) {
        routes.post("/v2/emails", counting.counted("POST /v2/emails", this::submit))
                .get("/v2/emails/{id}", counting.counted("GET /v2/emails/{id}", this::email));
    }

    List<JsonNode> submissions() {
        synchronized (submissions) {
            return List.copyOf(submissions);
        }
    }

    private Publisher<Void> submit(HttpServerRequest request, HttpServerResponse response) {
        return Answers.body(request).flatMap(bytes -> {
            JsonNode body;
            try {
                body = Answers.JSON.readTree(bytes);
            } catch (java.io.IOException e) {
                return Answers.json(
                        response,
                        422,
                        Answers.details(
                                Answers.detail(List.of("body"), "JSON decode error", "value_error.jsondecode")));
            }
            if (body == null) {
                return Answers.json(
                        response,
                        422,
                        Answers.details(Answers.detail(List.of("body"), "field required", "value_error.missing")));
            }
            synchronized (submissions) {
                if (submissions.size() >= config.inboxCapacity()) {
                    submissions.removeFirst();
                }
                submissions.addLast(body);
            }
            Fault fault = faults.take(request, body.path("email").asText(null));
            if (fault != null && fault.emailStatus() != null) {
                return accept(request, response, body, fault.emailStatus(), null);
            }
            if (fault != null && fault.taken()) {
                return accept(request, response, body, "queued", fault);
            }
            return Faults.answer(request, response, fault, () -> accept(request, response, body, "queued", null));
        });
    }

    /**
     * Validates and keeps a submission; {@code status} is the {@code data.status} of a success, answered unless
     * {@code after} (a fault applied once the message is kept) answers otherwise.
     */
    private Mono<Void> accept(
            HttpServerRequest request, HttpServerResponse response, JsonNode body, String status, Fault after) {
        TokenStore.Session session = tokens.session(request);
        if (session == null) {
            return Answers.notAuthenticated(request, response);
        }
        SandboxConfig.Account account = session.account();
        long accountId = account.id();
        Map<String, List<String>> query = new QueryStringDecoder(request.uri()).parameters();
        if (query.containsKey("account_id")) {
            Long asked = Answers.integer(query, "account_id", 0);
            if (asked == null) {
                return Answers.notAnInteger(response, "account_id");
            }
            accountId = asked;
            if (!account.actsFor(accountId)) {
                return Answers.json(response, 403, Answers.forbidden("Forbidden: account " + accountId));
            }
        }
        List<JsonNode> errors = SubmitEmailValidator.validate(body);
        if (!errors.isEmpty()) {
            ArrayNode detail = Answers.JSON.createArrayNode();
            errors.forEach(detail::add);
            return Answers.json(response, 422, Answers.JSON.createObjectNode().set("detail", detail));
        }
        String senderId = body.path("sender").path("id").asText();
        SandboxConfig.Sender sender = account.senders().stream()
                .filter(s -> s.id().equals(senderId))
                .findFirst()
                .orElse(null);
        if (sender == null) {
            return Answers.json(response, 400, Answers.badRequest("Sender not found: " + senderId));
        }
        if (!sender.confirmed()) {
            return Answers.json(response, 400, Answers.badRequest("Sender is not confirmed: " + sender.email()));
        }
        if (body.has("list_id") && !account.lists().contains(body.get("list_id").asLong())) {
            return Answers.json(
                    response,
                    400,
                    Answers.badRequest("List not found: " + body.get("list_id").asLong()));
        }
        if (!body.has("email") && !body.has("contact_id")) {
            return Answers.json(response, 400, Answers.badRequest("email or contact_id is required"));
        }
        JsonNode content = body.get("content");
        if (!content.has("html") && !content.has("text") && !content.has("template")) {
            return Answers.json(response, 400, Answers.badRequest("content requires html, text or template"));
        }
        String id = ids.uuid();
        inbox.add(new Inbox.Email(id, accountId, body, java.time.Instant.now(), status));
        log.info("Sandbox accepted email {} for {} ({})", id, body.path("email").asText(), status);
        ObjectNode answer = Answers.JSON
                .createObjectNode()
                .put("email", body.path("email").asText())
                .put("object", "email")
                .put("submitted", true);
        answer.putObject("data").put("id", id).put("status", status);
        return after == null
                ? Answers.json(response, 201, answer)
                : Faults.answer(request, response, after, () -> Answers.json(response, 201, answer));
    }

    private Publisher<Void> email(HttpServerRequest request, HttpServerResponse response) {
        return faults.answer(request, response, () -> {
            TokenStore.Session session = tokens.session(request);
            if (session == null) {
                return Answers.notAuthenticated(request, response);
            }
            Inbox.Email email = inbox.get(request.param("id"));
            if (email == null || !session.account().actsFor(email.accountId())) {
                return Answers.json(
                        response, 404, Answers.JSON.createObjectNode().put("detail", "Email not found"));
            }
            JsonNode body = email.request();
            ObjectNode answer = Answers.JSON
                    .createObjectNode()
                    .put("email_id", email.id())
                    .put("status", email.status())
                    .put("email", email.recipient())
                    .put("submitted_time", email.received().getEpochSecond());
            answer.set("sender", body.get("sender"));
            answer.putObject("content")
                    .put("subject", email.subject())
                    .put("type", body.path("content").path("type").asText());
            ObjectNode tracking = answer.putObject("tracking");
            for (String field : List.of("opens", "clicks_html", "clicks_text")) {
                tracking.put(field, body.path("tracking").path(field).asBoolean(true));
            }
            if (body.has("tags")) {
                answer.set("tags", body.get("tags"));
            }
            if (body.has("list_id")) {
                answer.set("list_id", body.get("list_id"));
            }
            return Answers.json(response, 200, answer);
        });
    }
}
