package io.cakemail.sandbox;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.reactivestreams.Publisher;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.http.server.HttpServerRoutes;

/**
 * {@code GET /v2/logs/emails}, the API's activity log, in its documented shape ({@code EmailAPILogsResponse}): for every
 * email of the inbox, a {@code submitted} event and one of its status ({@code queued}, {@code rejected},
 * {@code error}), each {@code {id, type, email_id, time, email, subject, tags}}, newest first. Filters:
 * {@code log_type} ({@code all} by default), {@code email_id}, {@code start_time} and {@code end_time} (epoch seconds;
 * the last 7 days by default), {@code account_id}; paged by {@code page} and {@code per_page} (at most 100, 50 by
 * default) with {@code pagination.has_more}.
 */
final class LogResource {

    private static final Set<String> LOG_TYPES = Set.of(
            "all",
            "submitted",
            "rejected",
            "error",
            "queued",
            "delivered",
            "open",
            "click",
            "bounce",
            "unsubscribe",
            "global_unsubscribe",
            "spam");

    private final TokenStore tokens;
    private final Faults faults;
    private final Inbox inbox;

    LogResource(TokenStore tokens, Faults faults, Inbox inbox) {
        this.tokens = tokens;
        this.faults = faults;
        this.inbox = inbox;
    }

    void register(HttpServerRoutes routes, CakemailSandbox.Counting counting) {
        routes.get("/v2/logs/emails", counting.counted("GET /v2/logs/emails", this::logs));
    }

    private Publisher<Void> logs(HttpServerRequest request, HttpServerResponse response) {
        return faults.answer(request, response, () -> {
            TokenStore.Session session = tokens.session(request);
            if (session == null) {
                return Answers.notAuthenticated(request, response);
            }
            Map<String, List<String>> query = new QueryStringDecoder(request.uri()).parameters();
            long now = Instant.now().getEpochSecond();
            Long accountId =
                    Answers.integer(query, "account_id", session.account().id());
            Long start = Answers.integer(query, "start_time", now - 7 * 24 * 3600);
            Long end = Answers.integer(query, "end_time", now);
            Long page = Answers.integer(query, "page", 1);
            Long perPage = Answers.integer(query, "per_page", 50);
            for (Map.Entry<String, Long> number : Map.of(
                            "account_id", accountId == null ? -1L : accountId,
                            "start_time", start == null ? -1L : start,
                            "end_time", end == null ? -1L : end,
                            "page", page == null ? -1L : page,
                            "per_page", perPage == null ? -1L : perPage)
                    .entrySet()) {
                if (number.getValue() < 1) {
                    return Answers.notAnInteger(response, number.getKey());
                }
            }
            if (perPage > 100) {
                return Answers.badQuery(
                        response,
                        "per_page",
                        "ensure this value is less than or equal to 100",
                        "value_error.number.not_le");
            }
            if (!session.account().actsFor(accountId)) {
                return Answers.json(response, 403, Answers.forbidden("Forbidden: account " + accountId));
            }
            String type = query.containsKey("log_type") ? query.get("log_type").get(0) : "all";
            if (!LOG_TYPES.contains(type)) {
                return Answers.badQuery(
                        response, "log_type", "value is not a valid enumeration member", "type_error.enum");
            }
            String emailId =
                    query.containsKey("email_id") ? query.get("email_id").get(0) : null;
            List<ObjectNode> events = new ArrayList<>();
            for (Inbox.Email email : inbox.emails()) {
                long time = email.received().getEpochSecond();
                if (email.accountId() != accountId
                        || time < start
                        || time > end
                        || emailId != null && !emailId.equals(email.id())) {
                    continue;
                }
                for (String event : List.of(email.status(), "submitted")) { // newest first
                    if (type.equals("all") || type.equals(event)) {
                        events.add(event(email, event, time));
                    }
                }
            }
            int from = (int) Math.min(events.size(), (page - 1) * perPage);
            int to = (int) Math.min(events.size(), from + perPage);
            ObjectNode answer = Answers.JSON.createObjectNode();
            answer.putObject("pagination")
                    .put("page", page)
                    .put("per_page", perPage)
                    .put("has_more", to < events.size());
            answer.putObject("parameters").put("start_time", start).put("end_time", end);
            ArrayNode data = answer.putArray("data");
            events.subList(from, to).forEach(data::add);
            return Answers.json(response, 200, answer);
        });
    }

    private static ObjectNode event(Inbox.Email email, String type, long time) {
        ObjectNode event = Answers.JSON
                .createObjectNode()
                .put(
                        "id",
                        UUID.nameUUIDFromBytes((email.id() + '/' + type).getBytes(StandardCharsets.UTF_8))
                                .toString())
                .put("type", type)
                .put("email_id", email.id())
                .put("time", time)
                .put("email", email.recipient())
                .put("subject", email.subject());
        if (email.request().has("tags")) {
            event.set("tags", email.request().get("tags"));
        }
        return event;
    }
}
