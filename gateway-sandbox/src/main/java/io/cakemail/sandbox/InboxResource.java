package io.cakemail.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.http.server.HttpServerRoutes;

/**
 * The inbox: {@code /} as a page, {@code /sandbox/messages} and {@code /sandbox/messages/{id}} as JSON, an accepted email's attachments, and {@code DELETE /sandbox/messages}.
 */
final class InboxResource {

    private final SandboxConfig config;
    private final Inbox inbox;

    InboxResource(SandboxConfig config, Inbox inbox) {
        this.config = config;
        this.inbox = inbox;
    }

    void register(HttpServerRoutes routes) {
        routes.get("/", this::page)
                .get("/sandbox/messages", this::messages)
                .get("/sandbox/messages/{id}", this::message)
                .get("/sandbox/messages/{id}/attachments/{index}", this::attachment)
                .delete("/sandbox/messages", LocalControl.loopback((request, response) -> {
                    inbox.clear();
                    return response.status(204).send();
                }));
    }

    private Publisher<Void> page(HttpServerRequest request, HttpServerResponse response) {
        return response.header(HttpHeaderNames.CONTENT_TYPE, "text/html; charset=utf-8")
                .sendString(Mono.just(InboxPage.render(inbox.emails(), config)), StandardCharsets.UTF_8)
                .then();
    }

    private Publisher<Void> messages(HttpServerRequest request, HttpServerResponse response) {
        ArrayNode list = Answers.JSON.createArrayNode();
        for (Inbox.Email email : inbox.emails()) {
            ObjectNode item = list.addObject()
                    .put("id", email.id())
                    .put("account_id", email.accountId())
                    .put("received", email.received().toString())
                    .put("status", email.status())
                    .put("to", email.recipient())
                    .put("subject", email.subject());
            item.set("sender", email.request().get("sender"));
            item.set(
                    "tags", email.request().has("tags") ? email.request().get("tags") : Answers.JSON.createArrayNode());
            item.put("type", email.request().path("content").path("type").asText());
            ArrayNode attachments = item.putArray("attachments");
            attachments(email)
                    .forEach(a -> attachments
                            .addObject()
                            .put("filename", a.path("filename").asText())
                            .put("type", a.path("type").asText()));
        }
        return Answers.json(response, 200, list);
    }

    private Publisher<Void> message(HttpServerRequest request, HttpServerResponse response) {
        Inbox.Email email = inbox.get(request.param("id"));
        if (email == null) {
            return Answers.json(response, 404, Answers.JSON.createObjectNode().put("detail", "Email not found"));
        }
        ObjectNode answer = Answers.JSON
                .createObjectNode()
                .put("id", email.id())
                .put("status", email.status())
                .put("received", email.received().toString());
        answer.set("request", email.request());
        return Answers.json(response, 200, answer);
    }

    private Publisher<Void> attachment(HttpServerRequest request, HttpServerResponse response) {
        Inbox.Email email = inbox.get(request.param("id"));
        List<JsonNode> attachments = email == null ? List.of() : attachments(email);
        String indexParameter = request.param("index");
        int index =
                indexParameter != null && indexParameter.matches("\\d{1,9}") ? Integer.parseInt(indexParameter) : -1;
        if (index < 0 || index >= attachments.size()) {
            return Answers.json(response, 404, Answers.JSON.createObjectNode().put("detail", "Attachment not found"));
        }
        JsonNode attachment = attachments.get(index);
        byte[] content = Base64.getDecoder().decode(attachment.path("content").asText());
        return response.header(
                        HttpHeaderNames.CONTENT_TYPE,
                        mediaType(attachment.path("type").asText()))
                .header(
                        HttpHeaderNames.CONTENT_DISPOSITION,
                        "attachment; filename=\"" + attachment.path("filename").asText() + "\"")
                .sendByteArray(Mono.just(content))
                .then();
    }

    private static List<JsonNode> attachments(Inbox.Email email) {
        JsonNode attachment = email.request().path("attachment");
        if (attachment.isObject()) {
            return List.of(attachment);
        }
        List<JsonNode> list = new java.util.ArrayList<>();
        attachment.forEach(list::add);
        return list;
    }

    private static String mediaType(String type) {
        return switch (type) {
            case "pdf" -> "application/pdf";
            case "png" -> "image/png";
            case "jpeg" -> "image/jpeg";
            case "csv" -> "text/csv";
            case "calendar" -> "text/calendar";
            case "doc" -> "application/msword";
            case "docx" -> "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
            case "xls" -> "application/vnd.ms-excel";
            case "xlsx" -> "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
            default -> "application/octet-stream";
        };
    }
}
