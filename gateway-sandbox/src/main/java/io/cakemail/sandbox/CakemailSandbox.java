package io.cakemail.sandbox;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.ssl.util.SelfSignedCertificate;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.Http2SslContextSpec;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * A local Cakemail API: {@code POST /token} (password and refresh grants), {@code GET /brands/default/senders},
 * {@code POST /v2/emails} and {@code GET /v2/emails/{id}}, with the published request and response shapes and
 * status codes, plus an inbox ({@code /} as a page, {@code /sandbox/messages} as JSON) and fault injection
 * ({@code /sandbox/faults}). Speaks HTTP/1.1 and h2c in plaintext, or HTTP/1.1 and h2 over TLS.
 */
public final class CakemailSandbox implements AutoCloseable {

    private static final Logger log = LogManager.getLogger(CakemailSandbox.class);
    /** Strings as long as a request may carry: Jackson's default cap (20 million characters) is not the API's. */
    private static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxStringLength(Integer.MAX_VALUE)
                    .build())
            .build());

    private static final int MAX_PER_PAGE = 100;

    private final SandboxConfig config;
    private final TokenStore tokens;
    private final Inbox inbox;
    private final Faults faults = new Faults();
    /** The latest request bodies, valid or not, as many as the inbox keeps. */
    private final Deque<JsonNode> submissions = new ArrayDeque<>();

    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final SecureRandom random;
    private final DisposableServer server;
    private final boolean tls;

    private CakemailSandbox(SandboxConfig config, String host, int port, boolean tls) throws Exception {
        this.config = requireNonNull(config, "config");
        this.random = seededRandom();
        this.tokens = new TokenStore(Clock.systemUTC(), random);
        this.inbox = new Inbox(config.inboxCapacity());
        this.tls = tls;
        HttpServer http = HttpServer.create()
                .host(host)
                .port(port)
                .channelGroup(connections)
                .route(routes -> routes.post("/token", counted("POST /token", this::token))
                        .get("/brands/default/senders", counted("GET /brands/default/senders", this::senders))
                        .post("/v2/emails", counted("POST /v2/emails", this::submit))
                        .get("/v2/emails/{id}", counted("GET /v2/emails/{id}", this::email))
                        .get("/", this::page)
                        .get("/sandbox/messages", this::messages)
                        .get("/sandbox/messages/{id}", this::message)
                        .get("/sandbox/messages/{id}/attachments/{index}", this::attachment)
                        .delete("/sandbox/messages", (request, response) -> {
                            inbox.clear();
                            return response.status(204).send();
                        })
                        .post("/sandbox/faults", this::addFault)
                        .delete("/sandbox/faults", (request, response) -> {
                            faults.clear();
                            return response.status(204).send();
                        })
                        .post("/sandbox/tokens/expire", (request, response) -> {
                            tokens.expireAll();
                            return response.status(204).send();
                        })
                        .post("/sandbox/tokens/revoke", (request, response) -> {
                            tokens.revokeAll();
                            return response.status(204).send();
                        }));
        if (tls) {
            SelfSignedCertificate certificate = new SelfSignedCertificate("localhost");
            http = http.protocol(HttpProtocol.H2, HttpProtocol.HTTP11)
                    .secure(spec ->
                            spec.sslContext(Http2SslContextSpec.forServer(certificate.key(), certificate.cert())));
        } else {
            http = http.protocol(HttpProtocol.HTTP11, HttpProtocol.H2C);
        }
        server = http.bindNow(Duration.ofSeconds(10));
    }

    /** Starts a plaintext sandbox (HTTP/1.1 and h2c); port 0 picks a free one. */
    public static CakemailSandbox start(SandboxConfig config, String host, int port) throws Exception {
        return new CakemailSandbox(config, host, port, false);
    }

    /** Starts a TLS sandbox (h2 and HTTP/1.1 by ALPN) with a self-signed certificate for {@code localhost}. */
    public static CakemailSandbox startTls(SandboxConfig config, String host, int port) throws Exception {
        return new CakemailSandbox(config, host, port, true);
    }

    public int port() {
        return server.port();
    }

    /** The base URL, for the gateway's {@code GATEWAY_API_URL}. */
    public URI baseUri() {
        return URI.create((tls ? "https" : "http") + "://" + server.host() + ":" + server.port());
    }

    /** The faults in force. */
    public Faults faults() {
        return faults;
    }

    /** The accepted emails. */
    public Inbox inbox() {
        return inbox;
    }

    /** Every {@code POST /v2/emails} body received, valid or not, in order. */
    public List<JsonNode> submissions() {
        synchronized (submissions) {
            return List.copyOf(submissions);
        }
    }

    /** How many calls an API route received, such as {@code POST /token}. */
    public int calls(String route) {
        AtomicInteger count = calls.get(route);
        return count == null ? 0 : count.get();
    }

    /** Makes every access token issued so far expired, as if their lifetime had run out. */
    public void expireTokens() {
        tokens.expireAll();
    }

    /** Revokes every token issued so far, access and refresh, as the API does after a password change. */
    public void revokeTokens() {
        tokens.revokeAll();
    }

    /** Stops listening and drops every open connection, as an API going away would. */
    @Override
    public void close() {
        server.disposeNow(Duration.ofSeconds(10));
        connections.close().awaitUninterruptibly(10_000);
    }

    private BiFunction<HttpServerRequest, HttpServerResponse, Publisher<Void>> counted(
            String route, BiFunction<HttpServerRequest, HttpServerResponse, Publisher<Void>> handler) {
        AtomicInteger count = calls.computeIfAbsent(route, r -> new AtomicInteger());
        return (request, response) -> {
            count.incrementAndGet();
            return handler.apply(request, response);
        };
    }

    private Publisher<Void> token(HttpServerRequest request, HttpServerResponse response) {
        return body(request)
                .flatMap(bytes -> withFault(request, response, fault(request, null), () -> {
                    String contentType = request.requestHeaders().get(HttpHeaderNames.CONTENT_TYPE, "");
                    if (!contentType.startsWith("application/x-www-form-urlencoded")) {
                        return json(
                                response,
                                422,
                                details(detail(List.of("body", "username"), "field required", "value_error.missing")));
                    }
                    Map<String, List<String>> form =
                            new QueryStringDecoder(new String(bytes, StandardCharsets.UTF_8), false).parameters();
                    String grant = first(form, "grant_type", "password");
                    SandboxConfig.Account account;
                    if (grant.equals("password")) {
                        account = config.account(first(form, "username", ""));
                        if (account == null || !account.password().equals(first(form, "password", null))) {
                            return json(response, 401, unauthorized("Incorrect username or password"));
                        }
                        if (account.mfa()) {
                            return json(response, 200, JSON.createObjectNode().put("challenge", newId()));
                        }
                    } else if (grant.equals("refresh_token")) {
                        account = tokens.redeem(first(form, "refresh_token", null));
                        if (account == null) {
                            return json(response, 401, unauthorized("Invalid refresh token"));
                        }
                    } else {
                        return json(
                                response,
                                422,
                                details(detail(
                                        List.of("body", "grant_type"),
                                        "value is not a valid enumeration member; permitted: 'password', 'refresh_token'",
                                        "type_error.enum")));
                    }
                    String[] issued = tokens.issue(account, config.tokenLifetime());
                    ObjectNode answer = JSON.createObjectNode()
                            .put("access_token", issued[0])
                            .put("token_type", "bearer")
                            .put("expires_in", config.tokenLifetime().toSeconds())
                            .put("refresh_token", issued[1]);
                    ArrayNode accounts = answer.putArray("accounts").add(account.id());
                    account.subAccounts().forEach(accounts::add);
                    return json(response, 200, answer);
                }));
    }

    private Publisher<Void> senders(HttpServerRequest request, HttpServerResponse response) {
        return withFault(request, response, fault(request, null), () -> {
            TokenStore.Session session = session(request);
            if (session == null) {
                return notAuthenticated(request, response);
            }
            Map<String, List<String>> query = new QueryStringDecoder(request.uri()).parameters();
            Long page = integer(query, "page", 1);
            Long perPage = integer(query, "per_page", 50);
            if (page == null || perPage == null) {
                return notAnInteger(response, page == null ? "page" : "per_page");
            }
            if (page < 1 || perPage < 1 || perPage > MAX_PER_PAGE) {
                return json(
                        response,
                        422,
                        details(detail(
                                List.of("query", "per_page"),
                                "ensure this value is less than or equal to " + MAX_PER_PAGE,
                                "value_error.number.not_le")));
            }
            List<SandboxConfig.Sender> all = session.account().senders();
            ObjectNode answer = JSON.createObjectNode();
            ObjectNode pagination =
                    answer.putObject("pagination").put("page", page).put("per_page", perPage);
            if (Boolean.parseBoolean(first(query, "with_count", "false"))) {
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
            return json(response, 200, answer);
        });
    }

    private Publisher<Void> submit(HttpServerRequest request, HttpServerResponse response) {
        return body(request).flatMap(bytes -> {
            JsonNode body;
            try {
                body = JSON.readTree(bytes);
            } catch (java.io.IOException e) {
                return json(
                        response, 422, details(detail(List.of("body"), "JSON decode error", "value_error.jsondecode")));
            }
            if (body == null) {
                return json(response, 422, details(detail(List.of("body"), "field required", "value_error.missing")));
            }
            synchronized (submissions) {
                if (submissions.size() >= config.inboxCapacity()) {
                    submissions.removeFirst();
                }
                submissions.addLast(body);
            }
            Fault fault = fault(request, body.path("email").asText(null));
            if (fault != null && fault.emailStatus() != null) {
                return accept(request, response, body, fault.emailStatus());
            }
            return withFault(request, response, fault, () -> accept(request, response, body, "queued"));
        });
    }

    /** Validates and keeps a submission; {@code status} is the {@code data.status} of a success. */
    private Mono<Void> accept(HttpServerRequest request, HttpServerResponse response, JsonNode body, String status) {
        TokenStore.Session session = session(request);
        if (session == null) {
            return notAuthenticated(request, response);
        }
        SandboxConfig.Account account = session.account();
        long accountId = account.id();
        Map<String, List<String>> query = new QueryStringDecoder(request.uri()).parameters();
        if (query.containsKey("account_id")) {
            Long asked = integer(query, "account_id", 0);
            if (asked == null) {
                return notAnInteger(response, "account_id");
            }
            accountId = asked;
            if (!account.actsFor(accountId)) {
                return json(response, 403, forbidden("Forbidden: account " + accountId));
            }
        }
        List<JsonNode> errors = SubmitEmailValidator.validate(body);
        if (!errors.isEmpty()) {
            ArrayNode detail = JSON.createArrayNode();
            errors.forEach(detail::add);
            return json(response, 422, JSON.createObjectNode().set("detail", detail));
        }
        String senderId = body.path("sender").path("id").asText();
        SandboxConfig.Sender sender = account.senders().stream()
                .filter(s -> s.id().equals(senderId))
                .findFirst()
                .orElse(null);
        if (sender == null) {
            return json(response, 400, badRequest("Sender not found: " + senderId));
        }
        if (!sender.confirmed()) {
            return json(response, 400, badRequest("Sender is not confirmed: " + sender.email()));
        }
        if (body.has("list_id") && !account.lists().contains(body.get("list_id").asLong())) {
            return json(
                    response,
                    400,
                    badRequest("List not found: " + body.get("list_id").asLong()));
        }
        if (!body.has("email") && !body.has("contact_id")) {
            return json(response, 400, badRequest("email or contact_id is required"));
        }
        JsonNode content = body.get("content");
        if (!content.has("html") && !content.has("text") && !content.has("template")) {
            return json(response, 400, badRequest("content requires html, text or template"));
        }
        String id = newUuid();
        inbox.add(new Inbox.Email(id, accountId, body, java.time.Instant.now(), status));
        log.info("Sandbox accepted email {} for {} ({})", id, body.path("email").asText(), status);
        ObjectNode answer = JSON.createObjectNode()
                .put("email", body.path("email").asText())
                .put("object", "email")
                .put("submitted", true);
        answer.putObject("data").put("id", id).put("status", status);
        return json(response, 201, answer);
    }

    private Publisher<Void> email(HttpServerRequest request, HttpServerResponse response) {
        return withFault(request, response, fault(request, null), () -> {
            TokenStore.Session session = session(request);
            if (session == null) {
                return notAuthenticated(request, response);
            }
            Inbox.Email email = inbox.get(request.param("id"));
            if (email == null || !session.account().actsFor(email.accountId())) {
                return json(response, 404, JSON.createObjectNode().put("detail", "Email not found"));
            }
            JsonNode body = email.request();
            ObjectNode answer = JSON.createObjectNode()
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
            return json(response, 200, answer);
        });
    }

    private Publisher<Void> page(HttpServerRequest request, HttpServerResponse response) {
        return response.header(HttpHeaderNames.CONTENT_TYPE, "text/html; charset=utf-8")
                .sendString(Mono.just(InboxPage.render(inbox.emails(), config)), StandardCharsets.UTF_8)
                .then();
    }

    private Publisher<Void> messages(HttpServerRequest request, HttpServerResponse response) {
        ArrayNode list = JSON.createArrayNode();
        for (Inbox.Email email : inbox.emails()) {
            ObjectNode item = list.addObject()
                    .put("id", email.id())
                    .put("account_id", email.accountId())
                    .put("received", email.received().toString())
                    .put("status", email.status())
                    .put("to", email.recipient())
                    .put("subject", email.subject());
            item.set("sender", email.request().get("sender"));
            item.set("tags", email.request().has("tags") ? email.request().get("tags") : JSON.createArrayNode());
            item.put("type", email.request().path("content").path("type").asText());
            ArrayNode attachments = item.putArray("attachments");
            attachments(email)
                    .forEach(a -> attachments
                            .addObject()
                            .put("filename", a.path("filename").asText())
                            .put("type", a.path("type").asText()));
        }
        return json(response, 200, list);
    }

    private Publisher<Void> message(HttpServerRequest request, HttpServerResponse response) {
        Inbox.Email email = inbox.get(request.param("id"));
        if (email == null) {
            return json(response, 404, JSON.createObjectNode().put("detail", "Email not found"));
        }
        ObjectNode answer = JSON.createObjectNode()
                .put("id", email.id())
                .put("status", email.status())
                .put("received", email.received().toString());
        answer.set("request", email.request());
        return json(response, 200, answer);
    }

    private Publisher<Void> attachment(HttpServerRequest request, HttpServerResponse response) {
        Inbox.Email email = inbox.get(request.param("id"));
        List<JsonNode> attachments = email == null ? List.of() : attachments(email);
        String indexParameter = request.param("index");
        int index =
                indexParameter != null && indexParameter.matches("\\d{1,9}") ? Integer.parseInt(indexParameter) : -1;
        if (index < 0 || index >= attachments.size()) {
            return json(response, 404, JSON.createObjectNode().put("detail", "Attachment not found"));
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

    private Publisher<Void> addFault(HttpServerRequest request, HttpServerResponse response) {
        return body(request).flatMap(bytes -> {
            try {
                faults.add(JSON.readValue(bytes, Fault.class));
                return response.status(204).send();
            } catch (java.io.IOException | IllegalArgumentException e) {
                return json(response, 422, JSON.createObjectNode().put("detail", e.getMessage()));
            }
        });
    }

    /** The fault for this call, counted as used, or {@code null}. */
    private Fault fault(HttpServerRequest request, String email) {
        return faults.take(new QueryStringDecoder(request.uri()).path(), email);
    }

    /** Answers as {@code fault} says, or normally when it is {@code null} (after its delay, if any). */
    private Mono<Void> withFault(
            HttpServerRequest request, HttpServerResponse response, Fault fault, Supplier<Mono<Void>> normal) {
        if (fault == null) {
            return Mono.defer(normal);
        }
        Mono<Void> answer;
        if (fault.reset()) {
            answer = Mono.fromRunnable(() ->
                    request.withConnection(connection -> connection.channel().close()));
        } else if (fault.status() > 0) {
            if (fault.retryAfter() != null) {
                response.header(HttpHeaderNames.RETRY_AFTER, String.valueOf(fault.retryAfter()));
            }
            answer = Mono.defer(() -> {
                try {
                    JsonNode body = fault.body() != null
                            ? JSON.readTree(fault.body())
                            : JSON.createObjectNode()
                                    .put(
                                            "detail",
                                            HttpResponseStatus.valueOf(fault.status())
                                                    .reasonPhrase());
                    return json(response, fault.status(), body);
                } catch (java.io.IOException e) {
                    return json(
                            response, fault.status(), JSON.createObjectNode().put("detail", fault.body()));
                }
            });
        } else {
            answer = Mono.defer(normal);
        }
        return fault.delayMillis() > 0
                ? Mono.delay(Duration.ofMillis(fault.delayMillis())).then(answer)
                : answer;
    }

    private TokenStore.Session session(HttpServerRequest request) {
        String authorization = request.requestHeaders().get(HttpHeaderNames.AUTHORIZATION);
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        return tokens.session(authorization.substring(7).trim());
    }

    private Mono<Void> notAuthenticated(HttpServerRequest request, HttpServerResponse response) {
        boolean presented = request.requestHeaders().contains(HttpHeaderNames.AUTHORIZATION);
        response.header(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer");
        return json(
                response,
                401,
                JSON.createObjectNode()
                        .put("detail", presented ? "Could not validate credentials" : "Not authenticated"));
    }

    private static Mono<byte[]> body(HttpServerRequest request) {
        return request.receive().aggregate().asByteArray().defaultIfEmpty(new byte[0]);
    }

    private static Mono<Void> json(HttpServerResponse response, int status, JsonNode body) {
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

    private static ObjectNode details(ObjectNode detail) {
        ObjectNode body = JSON.createObjectNode();
        body.putArray("detail").add(detail);
        return body;
    }

    private static ObjectNode detail(List<String> loc, String message, String type) {
        ObjectNode detail = JSON.createObjectNode();
        ArrayNode location = detail.putArray("loc");
        loc.forEach(location::add);
        return detail.put("msg", message).put("type", type);
    }

    private static ObjectNode badRequest(String message) {
        ObjectNode detail = JSON.createObjectNode().put("msg", message).put("type", "bad_request");
        return details(detail);
    }

    private static ObjectNode unauthorized(String message) {
        return details(
                JSON.createObjectNode().put("code", 401).put("msg", message).put("type", "unauthorized"));
    }

    private static ObjectNode forbidden(String message) {
        return details(
                JSON.createObjectNode().put("code", 403).put("msg", message).put("type", "forbidden"));
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

    /** The query parameter {@code name} as an integer, {@code fallback} when absent, {@code null} when not one. */
    private static Long integer(Map<String, List<String>> query, String name, long fallback) {
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
    private static Mono<Void> notAnInteger(HttpServerResponse response, String name) {
        return json(
                response,
                422,
                details(detail(List.of("query", name), "value is not a valid integer", "type_error.integer")));
    }

    private static String first(Map<String, List<String>> parameters, String name, String fallback) {
        List<String> values = parameters.get(name);
        return values == null || values.isEmpty() ? fallback : values.get(0);
    }

    /**
     * A DRBG seeded here, on the starting thread: once seeded it never reads the entropy source again, so event
     * loops can draw from it without blocking (the default NativePRNG reads /dev/urandom on every call).
     */
    private static SecureRandom seededRandom() {
        try {
            SecureRandom random = SecureRandom.getInstance("DRBG");
            random.nextBytes(new byte[16]);
            return random;
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("no DRBG SecureRandom", e);
        }
    }

    /** A random (version 4) UUID. */
    private String newUuid() {
        byte[] bytes = new byte[16];
        random.nextBytes(bytes);
        bytes[6] = (byte) (bytes[6] & 0x0f | 0x40);
        bytes[8] = (byte) (bytes[8] & 0x3f | 0x80);
        java.nio.ByteBuffer buffer = java.nio.ByteBuffer.wrap(bytes);
        return new UUID(buffer.getLong(), buffer.getLong()).toString();
    }

    private String newId() {
        byte[] bytes = new byte[16];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
