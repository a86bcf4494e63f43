package io.cakemail.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cakemail.gateway.testing.TrustAll;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SandboxTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String VALID = """
            {"email":"rcpt@example.net","sender":{"id":"snd-sandbox","name":"Sandbox"},"list_id":1,
             "content":{"subject":"Hi","text":"Hello","html":"<p>Hello</p>","encoding":"utf-8","type":"transactional"},
             "tags":["a-b_c"],"tracking":{"opens":false},"additional_headers":[{"name":"X-A","value":"1"}],
             "attachment":[{"filename":"a.pdf","type":"pdf","content":"JVBERi0="}]}""";

    private CakemailSandbox sandbox;
    private HttpClient http;

    @BeforeEach
    void start() throws Exception {
        sandbox = CakemailSandbox.start(sandboxConfig(), "127.0.0.1", 0);
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    @AfterEach
    void stop() {
        sandbox.close();
    }

    static SandboxConfig sandboxConfig() {
        SandboxConfig defaults = SandboxConfig.defaults();
        List<SandboxConfig.Sender> senders =
                new ArrayList<>(defaults.accounts().get(0).senders());
        for (int i = 0; i < 5; i++) {
            senders.add(new SandboxConfig.Sender("snd-extra-" + i, "Extra " + i, "extra" + i + "@example.com", true));
        }
        SandboxConfig.Account account = defaults.accounts().get(0);
        return new SandboxConfig(
                List.of(
                        new SandboxConfig.Account(
                                account.id(),
                                account.username(),
                                account.password(),
                                false,
                                senders,
                                account.lists(),
                                account.subAccounts()),
                        defaults.accounts().get(1)),
                defaults.tokenLifetime(),
                100);
    }

    @Test
    void passwordGrantIssuesATokenPair() throws Exception {
        HttpResponse<String> answer = token("grant_type=password&username=sandbox%40example.com&password=sandbox");
        assertThat(answer.statusCode()).isEqualTo(200);
        JsonNode body = JSON.readTree(answer.body());
        assertThat(body.get("token_type").asText()).isEqualTo("bearer");
        assertThat(body.get("expires_in").asLong()).isEqualTo(Duration.ofDays(5).toSeconds());
        assertThat(body.get("access_token").asText()).isNotBlank();
        assertThat(body.get("accounts")).hasSize(2);
        HttpResponse<String> refreshed = token("grant_type=refresh_token&refresh_token="
                + body.get("refresh_token").asText());
        assertThat(refreshed.statusCode()).isEqualTo(200);
        assertThat(token("grant_type=refresh_token&refresh_token="
                                + body.get("refresh_token").asText())
                        .statusCode())
                .as("a refresh token works once")
                .isEqualTo(401);
    }

    @Test
    void wrongCredentialsJsonBodiesAndMfaAreAnsweredLikeTheApi() throws Exception {
        HttpResponse<String> wrong = token("username=sandbox%40example.com&password=nope");
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(wrong.body()).at("/detail/0/type").asText()).isEqualTo("unauthorized");
        HttpResponse<String> json = http.send(
                HttpRequest.newBuilder(uri("/token"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"username\":\"x\"}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(json.statusCode()).isEqualTo(422);
        HttpResponse<String> mfa = token("username=mfa%40example.com&password=sandbox");
        assertThat(mfa.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(mfa.body()).has("challenge")).isTrue();
    }

    @Test
    void sendersArePaginatedAndCountedOnlyOnRequest() throws Exception {
        String token = login();
        JsonNode first = JSON.readTree(
                get("/brands/default/senders?page=1&per_page=3", token).body());
        JsonNode third = JSON.readTree(get("/brands/default/senders?page=3&per_page=3&with_count=true", token)
                .body());
        assertThat(first.get("data")).hasSize(3);
        assertThat(first.at("/pagination/count").isMissingNode()).isTrue();
        assertThat(third.get("data")).hasSize(2);
        assertThat(third.at("/pagination/count").asInt()).isEqualTo(8);
        assertThat(first.at("/data/2/confirmed").asBoolean()).isFalse();
        assertThat(get("/brands/default/senders?per_page=101", token).statusCode())
                .isEqualTo(422);
    }

    @Test
    void aValidSubmissionIsQueuedAndCanBeRetrieved() throws Exception {
        String token = login();
        HttpResponse<String> answer = submit(VALID, token);
        assertThat(answer.statusCode()).isEqualTo(201);
        JsonNode body = JSON.readTree(answer.body());
        assertThat(body.get("email").asText()).isEqualTo("rcpt@example.net");
        assertThat(body.at("/data/status").asText()).isEqualTo("queued");
        String id = body.at("/data/id").asText();
        JsonNode stored = JSON.readTree(get("/v2/emails/" + id, token).body());
        assertThat(stored.get("status").asText()).isEqualTo("queued");
        assertThat(stored.at("/content/subject").asText()).isEqualTo("Hi");
        assertThat(stored.at("/tracking/opens").asBoolean()).isFalse();
        assertThat(stored.at("/tracking/clicks_html").asBoolean()).isTrue();
        assertThat(get("/v2/emails/00000000-0000-0000-0000-000000000000", token).statusCode())
                .isEqualTo(404);
        assertThat(sandbox.inbox().emails()).hasSize(1);
    }

    @Test
    void schemaErrorsAre422WithLocationsAndBusinessErrorsAre400() throws Exception {
        String token = login();
        HttpResponse<String> invalid = submit("""
                {"email":"not-an-address","sender":{},"content":{"subject":"","type":"newsletter"},
                 "tags":["bad tag"],"attachment":{"filename":"a.zip","type":"zip","content":"###"}}""", token);
        assertThat(invalid.statusCode()).isEqualTo(422);
        List<String> locations = new ArrayList<>();
        JSON.readTree(invalid.body())
                .get("detail")
                .forEach(d -> locations.add(d.get("loc").toString()));
        assertThat(locations)
                .contains(
                        "[\"body\",\"sender\",\"id\"]",
                        "[\"body\",\"content\",\"subject\"]",
                        "[\"body\",\"content\",\"type\"]",
                        "[\"body\",\"email\"]",
                        "[\"body\",\"tags\",0]",
                        "[\"body\",\"attachment\",\"filename\"]",
                        "[\"body\",\"attachment\",\"type\"]",
                        "[\"body\",\"attachment\",\"content\"]");
        assertThat(submit(VALID.replace("snd-sandbox", "snd-unknown"), token).body())
                .contains("Sender not found");
        HttpResponse<String> pending = submit(VALID.replace("snd-sandbox", "snd-pending"), token);
        assertThat(pending.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(pending.body()).at("/detail/0/msg").asText())
                .isEqualTo("Sender is not confirmed: pending@example.com");
        assertThat(submit(VALID.replace("\"list_id\":1", "\"list_id\":9"), token)
                        .statusCode())
                .isEqualTo(400);
        assertThat(submit("{not json", token).statusCode()).isEqualTo(422);
    }

    @Test
    void callsNeedALiveToken() throws Exception {
        assertThat(submit(VALID, null).statusCode()).isEqualTo(401);
        String token = login();
        sandbox.expireTokens();
        HttpResponse<String> expired = submit(VALID, token);
        assertThat(expired.statusCode()).isEqualTo(401);
        assertThat(expired.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
        assertThat(submit(VALID, login()).statusCode()).isEqualTo(201);
    }

    @Test
    void subAccountsAreChosenWithAccountId() throws Exception {
        String token = login();
        assertThat(post("/v2/emails?account_id=1003", VALID, token).statusCode())
                .isEqualTo(201);
        assertThat(post("/v2/emails?account_id=4242", VALID, token).statusCode())
                .isEqualTo(403);
        assertThat(sandbox.inbox().emails().get(0).accountId()).isEqualTo(1003);
    }

    @Test
    void aMalformedQueryParameterIs422NotAServerError() throws Exception {
        String token = login();
        HttpResponse<String> page = get("/brands/default/senders?page=two", token);
        assertThat(page.statusCode()).isEqualTo(422);
        assertThat(JSON.readTree(page.body()).at("/detail/0/loc").toString()).isEqualTo("[\"query\",\"page\"]");
        assertThat(get("/brands/default/senders?per_page=99999999999", token).statusCode())
                .isEqualTo(422);
        assertThat(post("/v2/emails?account_id=x", VALID, token).statusCode()).isEqualTo(422);
        assertThat(get("/sandbox/messages/nope/attachments/x", token).statusCode())
                .isEqualTo(404);
    }

    @Test
    void storedSubmissionsAreBoundedLikeTheInbox() throws Exception {
        sandbox.close();
        SandboxConfig small = new SandboxConfig(sandboxConfig().accounts(), Duration.ofDays(1), 3);
        sandbox = CakemailSandbox.start(small, "127.0.0.1", 0);
        String token = login();
        for (int i = 0; i < 5; i++) {
            assertThat(submit(VALID.replace("rcpt@", "rcpt" + i + "@"), token).statusCode())
                    .isEqualTo(201);
        }
        assertThat(sandbox.submissions())
                .extracting(body -> body.path("email").asText())
                .containsExactly("rcpt2@example.net", "rcpt3@example.net", "rcpt4@example.net");
        assertThat(sandbox.inbox().emails()).hasSize(3);
    }

    @Test
    void faultsApplyByPathRecipientAndCount() throws Exception {
        String token = login();
        sandbox.faults().add(Fault.status("/v2/emails", 503).times(1));
        sandbox.faults().add(Fault.tooManyRequests("/v2/emails", 7).forRecipients("^slow@"));
        sandbox.faults()
                .add(Fault.emailStatus("rejected").forRecipients("^bounce@").times(1));
        assertThat(submit(VALID, token).statusCode()).isEqualTo(503);
        assertThat(submit(VALID, token).statusCode()).isEqualTo(201);
        HttpResponse<String> limited = submit(VALID.replace("rcpt@example.net", "slow@example.net"), token);
        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(limited.headers().firstValue("Retry-After")).hasValue("7");
        HttpResponse<String> rejected = submit(VALID.replace("rcpt@example.net", "bounce@example.net"), token);
        assertThat(rejected.statusCode()).isEqualTo(201);
        assertThat(JSON.readTree(rejected.body()).at("/data/status").asText()).isEqualTo("rejected");
        sandbox.faults().clear();
        sandbox.faults().add(Fault.reset("/v2/emails").times(1));
        assertThatThrownBy(() -> submit(VALID, token)).isInstanceOf(IOException.class);
        sandbox.faults().add(Fault.latency("/v2/emails", 300).times(1));
        long start = System.nanoTime();
        assertThat(submit(VALID, token).statusCode()).isEqualTo(201);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
    }

    /**
     * The activity log: a submitted event and one of the email's status for each email, newest first, filtered by
     * type and time, paged with {@code has_more}; a submission the sandbox took before a fault cut its answer is in
     * it, as in the inbox.
     */
    @Test
    void theLogListsEachEmailsEventsByTypeTimeAndPage() throws Exception {
        String token = login();
        String first = JSON.readTree(submit(VALID, token).body()).at("/data/id").asText();
        sandbox.faults().add(Fault.reset("/v2/emails").afterTaking().times(1));
        assertThatThrownBy(() -> submit(VALID.replace("rcpt@example.net", "cut@example.net"), token))
                .isInstanceOf(IOException.class);

        JsonNode submitted = JSON.readTree(
                get("/v2/logs/emails?log_type=submitted&per_page=1", token).body());
        assertThat(submitted.at("/pagination/has_more").asBoolean()).isTrue();
        assertThat(submitted.at("/data/0/email").asText()).as("newest first").isEqualTo("cut@example.net");
        assertThat(submitted.at("/data/0/type").asText()).isEqualTo("submitted");
        JsonNode all = JSON.readTree(get("/v2/logs/emails", token).body());
        assertThat(all.at("/pagination/has_more").asBoolean()).isFalse();
        assertThat(all.path("data").findValuesAsText("type"))
                .containsExactly("queued", "submitted", "queued", "submitted");
        assertThat(all.path("data").findValuesAsText("email_id")).contains(first);
        long future = java.time.Instant.now().getEpochSecond() + 3600;
        assertThat(JSON.readTree(get("/v2/logs/emails?start_time=" + future, token)
                                .body())
                        .path("data"))
                .isEmpty();
        assertThat(get("/v2/logs/emails", null).statusCode()).isEqualTo(401);
        assertThat(get("/v2/logs/emails?per_page=101", token).statusCode()).isEqualTo(422);
    }

    @Test
    void faultsCanBeAddedOverHttp() throws Exception {
        HttpResponse<String> added = post("/sandbox/faults", "{\"path\":\"/token\",\"status\":500,\"times\":1}", null);
        assertThat(added.statusCode()).isEqualTo(204);
        assertThat(token("username=sandbox%40example.com&password=sandbox").statusCode())
                .isEqualTo(500);
        assertThat(token("username=sandbox%40example.com&password=sandbox").statusCode())
                .isEqualTo(200);
    }

    /**
     * The control endpoints have no authentication: a page of another origin can neither post to them (a form's
     * {@code text/plain} is refused) nor reach them by another name (DNS rebinding: the {@code Host} is not loopback).
     */
    @Test
    void controlEndpointsAnswerOnlyJsonPostsToALoopbackName() throws Exception {
        HttpRequest textPlain = HttpRequest.newBuilder(uri("/sandbox/tokens/revoke"))
                .header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("{}"))
                .build();
        assertThat(http.send(textPlain, HttpResponse.BodyHandlers.ofString()).statusCode())
                .isEqualTo(415);
        try (java.net.Socket socket =
                new java.net.Socket("127.0.0.1", sandbox.baseUri().getPort())) {
            String fault = "{\"path\":\"/token\",\"status\":500}";
            socket.getOutputStream()
                    .write(("POST /sandbox/faults HTTP/1.1\r\nHost: rebound.attacker.example\r\n"
                                    + "Content-Type: application/json\r\nContent-Length: " + fault.length()
                                    + "\r\nConnection: close\r\n\r\n" + fault)
                            .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            String answer =
                    new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
            assertThat(answer).startsWith("HTTP/1.1 403");
        }
        assertThat(token("username=sandbox%40example.com&password=sandbox").statusCode())
                .as("no fault was added, no token revoked")
                .isEqualTo(200);
    }

    @Test
    void theInboxIsAPageAJsonListAndDownloads() throws Exception {
        String token = login();
        String id = JSON.readTree(submit(VALID.replace("<p>Hello</p>", "<p>Hello <script>x</script></p>"), token)
                        .body())
                .at("/data/id")
                .asText();
        String page = get("/", null).body();
        assertThat(page)
                .contains(
                        "Cakemail sandbox inbox",
                        "rcpt@example.net",
                        "Sandbox &lt;sandbox@example.com&gt;",
                        "<iframe sandbox=\"\"",
                        "&lt;script&gt;",
                        "/sandbox/messages/" + id + "/attachments/0");
        JsonNode list = JSON.readTree(get("/sandbox/messages", null).body());
        assertThat(list.at("/0/subject").asText()).isEqualTo("Hi");
        assertThat(list.at("/0/attachments/0/filename").asText()).isEqualTo("a.pdf");
        HttpResponse<byte[]> download = http.send(
                HttpRequest.newBuilder(uri("/sandbox/messages/" + id + "/attachments/0"))
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(download.headers().firstValue("Content-Type")).hasValue("application/pdf");
        assertThat(new String(download.body(), java.nio.charset.StandardCharsets.US_ASCII))
                .isEqualTo("%PDF-");
    }

    @Test
    void speaksH2cAndH2OverTls() throws Exception {
        HttpClient h2 =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
        HttpResponse<String> cleartext =
                h2.send(HttpRequest.newBuilder(uri("/sandbox/messages")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(cleartext.version()).isEqualTo(HttpClient.Version.HTTP_2);
        try (CakemailSandbox secure = CakemailSandbox.startTls(SandboxConfig.defaults(), "127.0.0.1", 0)) {
            HttpClient tls = HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_2)
                    .sslContext(TrustAll.sslContext())
                    .build();
            HttpResponse<String> answer = tls.send(
                    HttpRequest.newBuilder(URI.create("https://localhost:" + secure.port() + "/sandbox/messages"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(answer.version()).isEqualTo(HttpClient.Version.HTTP_2);
            assertThat(answer.statusCode()).isEqualTo(200);
        }
    }

    String login() throws Exception {
        return JSON.readTree(
                        token("username=sandbox%40example.com&password=sandbox").body())
                .get("access_token")
                .asText();
    }

    private HttpResponse<String> token(String form) throws Exception {
        return http.send(
                HttpRequest.newBuilder(uri("/token"))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(form))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> submit(String body, String token) throws Exception {
        return post("/v2/emails", body, token);
    }

    private HttpResponse<String> post(String path, String body, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return sandbox.baseUri().resolve(path);
    }
}
