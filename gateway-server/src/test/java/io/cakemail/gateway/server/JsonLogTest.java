package io.cakemail.gateway.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cakemail.gateway.testkit.Await;
import io.cakemail.sandbox.CakemailSandbox;
import io.cakemail.sandbox.Fault;
import io.cakemail.sandbox.SandboxConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code GATEWAY_LOG_FORMAT=json} at DEBUG, from a gateway in its own process driven by Python's smtplib: every line
 * is one JSON object; every line of a session names it; each message and each connection has its INFO line; and no
 * password, token, AUTH line or message body appears anywhere.
 */
class JsonLogTest {

    @RegisterExtension
    final Gateways gateways = new Gateways();

    private static final String USER = "json@example.com";
    private static final String PASSWORD = "Pw-4e1b-never-logged";
    private static final String BODY_MARKER = "Body-Marker-7f3a9c";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aDebugRunWritesSessionLinesAsJsonWithoutSecrets() throws Exception {
        SandboxConfig config = new SandboxConfig(
                List.of(new SandboxConfig.Account(
                        2001,
                        USER,
                        PASSWORD,
                        false,
                        List.of(new SandboxConfig.Sender("snd-json", "Json", "sender@example.com", true)),
                        List.of(),
                        List.of())),
                Duration.ofDays(1),
                100);
        CakemailSandbox sandbox = gateways.sandbox(config);
        ForkedGateway gateway = gateways.forked(sandbox, "GATEWAY_LOG_FORMAT", "json", "GATEWAY_LOG_LEVEL", "debug");
        sandbox.faults().add(Fault.status("/v2/emails", 422).forRecipients("^refused"));
        ExternalClient.Result sent = ExternalClient.python(
                String.join(
                        "\n",
                        "import smtplib, ssl, sys",
                        "with smtplib.SMTP('127.0.0.1', int(sys.argv[1]), timeout=30) as s:",
                        "    s.starttls(context=ssl._create_unverified_context())",
                        "    s.login(sys.argv[2], sys.argv[3])",
                        "    s.sendmail('sender@example.com', ['ok@example.net', 'refused@example.net'],",
                        "        'From: sender@example.com\\r\\nMessage-ID: <json-log@example.com>\\r\\n'",
                        "        'Subject: JSON\\r\\n\\r\\n' + sys.argv[4] + '\\r\\n')",
                        "with smtplib.SMTP('127.0.0.1', int(sys.argv[1]), timeout=30) as s:",
                        "    s.starttls(context=ssl._create_unverified_context())",
                        "    try:",
                        "        s.login(sys.argv[2], 'Wrong-' + sys.argv[3])",
                        "    except smtplib.SMTPAuthenticationError as e:",
                        "        print('refused', e.smtp_code)"),
                String.valueOf(gateway.smtpPort),
                USER,
                PASSWORD,
                BODY_MARKER);
        assertThat(sent.exitCode()).as(sent.output()).isZero();
        assertThat(sent.output()).contains("refused 535");

        List<JsonNode> lines = awaitLines(gateway, 3); // with the connection that waited for the greeting
        Set<String> tokens = sandbox.tokens();

        assertThat(lines).anyMatch(line -> line.path("log.level").asText().equals("DEBUG"));
        for (JsonNode line : lines) {
            String logger = line.path("log.logger").asText();
            if (logger.startsWith("io.cakemail.gateway.smtp.")
                    || logger.startsWith("io.cakemail.gateway.core.")
                    || logger.equals("io.cakemail.gateway.limits")
                    || logger.equals("io.cakemail.gateway.dead-letter")
                    || logger.equals("io.cakemail.gateway.messages")
                    || logger.equals("io.cakemail.gateway.connections")
                    || logger.equals("io.cakemail.gateway.auth")
                    || logger.equals("io.cakemail.gateway.api")) {
                assertThat(line.path("session.id").asText()).as(line.toString()).matches("\\w{8}");
            }
        }

        JsonNode message = only(lines, "io.cakemail.gateway.messages");
        assertThat(only(lines, "io.cakemail.gateway.dead-letter").path("session.id"))
                .isEqualTo(message.path("session.id"));
        assertThat(message.path("log.level").asText()).isEqualTo("INFO");
        assertThat(message.path("smtp.reply.code").asText()).isEqualTo("250");
        assertThat(message.path("user.name").asText()).isEqualTo(USER);
        assertThat(message.path("client.address").asText()).isEqualTo("127.0.0.1");
        assertThat(message.path("email.message_id").asText()).isEqualTo("<json-log@example.com>");
        assertThat(message.path("smtp.recipients").asInt()).isEqualTo(2);
        assertThat(message.path("smtp.message.size").asLong()).isPositive();
        assertThat(message.path("recipients.queued").asText()).matches("ok@example\\.net=\\S+");
        assertThat(message.path("recipients.refused").asText()).isEqualTo("refused@example.net=422");
        assertThat(message.path("event.duration_ms").asDouble()).isPositive();

        List<JsonNode> closes = all(lines, "io.cakemail.gateway.connections");
        assertThat(closes).hasSize(3);
        JsonNode delivering = closes.stream()
                .filter(close -> close.path("session.id").equals(message.path("session.id")))
                .findFirst()
                .orElseThrow();
        assertThat(delivering.path("smtp.messages").asInt()).isEqualTo(1);
        assertThat(delivering.path("smtp.messages.accepted").asInt()).isEqualTo(1);
        assertThat(delivering.path("tls.version").asText()).startsWith("TLSv1.");

        List<JsonNode> failures = all(lines, "io.cakemail.gateway.auth"); // smtplib tries two mechanisms
        assertThat(failures).isNotEmpty().allSatisfy(failure -> {
            assertThat(failure.path("log.level").asText()).isEqualTo("WARN");
            assertThat(failure.path("message").asText())
                    .contains("Authentication failed: client=127.0.0.1 user=\"" + USER + "\"");
        });

        String output = gateway.output();
        assertThat(output)
                .doesNotContain(PASSWORD)
                .doesNotContain(InProcessGateway.plain(USER, PASSWORD))
                .doesNotContain(Base64.getEncoder().encodeToString(PASSWORD.getBytes(StandardCharsets.UTF_8)))
                .doesNotContain(BODY_MARKER);
        assertThat(tokens).isNotEmpty().allSatisfy(token -> assertThat(output).doesNotContain(token));
    }

    /** The JSON lines, once {@code closes} connections have logged their close (the appender is asynchronous). */
    private static List<JsonNode> awaitLines(ForkedGateway gateway, int closes) {
        return Await.value(
                closes + " connections' close lines",
                Duration.ofSeconds(10),
                () -> {
                    List<JsonNode> lines = new ArrayList<>();
                    for (String line : gateway.output().split("\n")) {
                        if (line.startsWith("{")) {
                            lines.add(JSON.readTree(line)); // a line that never becomes whole JSON fails the test
                        }
                    }
                    return lines;
                },
                lines -> all(lines, "io.cakemail.gateway.connections").size() >= closes);
    }

    private static List<JsonNode> all(List<JsonNode> lines, String logger) {
        return lines.stream()
                .filter(line -> line.path("log.logger").asText().equals(logger))
                .toList();
    }

    private static JsonNode only(List<JsonNode> lines, String logger) {
        List<JsonNode> found = all(lines, logger);
        assertThat(found).as(logger).hasSize(1);
        return found.get(0);
    }
}
