package io.cakemail.gateway.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cakemail.gateway.core.submission.TransformConfig;
import io.cakemail.gateway.smtp.BareLineEndingPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GatewayConfigTest {

    @Test
    void defaultsNeedNoVariables() {
        GatewayConfig config = GatewayConfig.fromEnvironment(Map.of());
        assertThat(config.smtpPort()).isEqualTo(2587);
        assertThat(config.smtpsPort()).isEqualTo(2465);
        assertThat(config.httpPort()).isEqualTo(8080);
        assertThat(config.tlsCert()).isNull();
        assertThat(config.apiUrl()).isNull();
        assertThat(config.effectiveApiUrl(null)).hasToString("https://api.cakemail.dev");
        assertThat(config.sandboxPort()).isEqualTo(8025);
        assertThat(config.api()).isEqualTo(new GatewayConfig.ApiSettings(false, 8, Duration.ofSeconds(45),
                "transactional", null));
        assertThat(config.sandbox()).isFalse();
        assertThat(config.maxConnections()).isEqualTo(10_000);
        assertThat(config.smtp().maxMessageSize()).isEqualTo(36_700_160);
        assertThat(config.smtp().maxRecipients()).isEqualTo(100);
        assertThat(config.smtp().idleTimeout()).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void readsEveryVariable() throws Exception {
        Path cert = Files.createTempFile("cert", ".pem");
        Path key = Files.createTempFile("key", ".pem");
        GatewayConfig config = GatewayConfig.fromEnvironment(Map.ofEntries(
                Map.entry("GATEWAY_SMTP_PORT", "587"),
                Map.entry("GATEWAY_SMTPS_PORT", "465"),
                Map.entry("GATEWAY_HTTP_PORT", "9090"),
                Map.entry("GATEWAY_BIND_ADDRESS", "127.0.0.1"),
                Map.entry("GATEWAY_TLS_CERT", cert.toString()),
                Map.entry("GATEWAY_TLS_KEY", key.toString()),
                Map.entry("GATEWAY_TLS_HANDSHAKE_TIMEOUT", "500ms"),
                Map.entry("GATEWAY_API_URL", "http://127.0.0.1:8025"),
                Map.entry("GATEWAY_SANDBOX", "true"),
                Map.entry("GATEWAY_HOSTNAME", "smtp.example.com"),
                Map.entry("GATEWAY_MAX_CONNECTIONS", "50"),
                Map.entry("GATEWAY_MAX_MESSAGE_SIZE", "1000000"),
                Map.entry("GATEWAY_MAX_RECIPIENTS", "5"),
                Map.entry("GATEWAY_MAX_LINE_LENGTH", "1000"),
                Map.entry("GATEWAY_MAX_ERRORS", "4"),
                Map.entry("GATEWAY_MAX_AUTH_FAILURES", "2"),
                Map.entry("GATEWAY_IDLE_TIMEOUT", "30s"),
                Map.entry("GATEWAY_SESSION_TIMEOUT", "1h"),
                Map.entry("GATEWAY_BARE_LINE_ENDINGS", "reject"),
                Map.entry("GATEWAY_IO_THREADS", "3"),
                Map.entry("GATEWAY_MAX_MIME_DEPTH", "4"),
                Map.entry("GATEWAY_MAX_ATTACHMENT_SIZE", "2048"),
                Map.entry("GATEWAY_UNSUPPORTED_ATTACHMENTS", "omit"),
                Map.entry("GATEWAY_INLINE_IMAGES", "data-uri"),
                Map.entry("GATEWAY_MISSING_CONTENT", "Placeholder"),
                Map.entry("GATEWAY_SANDBOX_PORT", "9025"),
                Map.entry("GATEWAY_API_H2C", "true"),
                Map.entry("GATEWAY_API_MAX_CONNECTIONS", "4"),
                Map.entry("GATEWAY_API_DEADLINE", "20s"),
                Map.entry("GATEWAY_DEFAULT_EMAIL_TYPE", "marketing"),
                Map.entry("GATEWAY_DEFAULT_LIST_ID", "12")));
        assertThat(config).isEqualTo(new GatewayConfig("127.0.0.1", 587, 465, 9090, cert, key, Duration.ofMillis(500),
                java.net.URI.create("http://127.0.0.1:8025"), true, 9025, "127.0.0.1", 50, 3, config.memoryBudget(),
                config.drainTimeout(), config.smtp(), config.transform(),
                new GatewayConfig.ApiSettings(true, 4, Duration.ofSeconds(20), "marketing", 12L)));
        assertThat(config.smtp().hostname()).isEqualTo("smtp.example.com");
        assertThat(config.smtp().maxMessageSize()).isEqualTo(1_000_000);
        assertThat(config.smtp().maxRecipients()).isEqualTo(5);
        assertThat(config.smtp().maxCommandLineLength()).isEqualTo(1000);
        assertThat(config.smtp().maxErrors()).isEqualTo(4);
        assertThat(config.smtp().maxAuthFailures()).isEqualTo(2);
        assertThat(config.smtp().idleTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.smtp().sessionTimeout()).isEqualTo(Duration.ofHours(1));
        assertThat(config.smtp().bareLineEndingPolicy()).isEqualTo(BareLineEndingPolicy.REJECT);
        assertThat(config.transform().limits().maxDepth()).isEqualTo(4);
        assertThat(config.transform().limits().maxAttachmentSize()).isEqualTo(2048);
        assertThat(config.transform().unsupportedAttachments()).isEqualTo(TransformConfig.UnsupportedAttachments.OMIT);
        assertThat(config.transform().inlineImages()).isEqualTo(TransformConfig.InlineImages.DATA_URI);
        assertThat(config.transform().missingContent()).isEqualTo(TransformConfig.MissingContent.PLACEHOLDER);
    }

    @Test
    void everyProblemIsReportedWithItsVariableAndExpectedForm() {
        assertThatThrownBy(() -> GatewayConfig.fromEnvironment(Map.of(
                "GATEWAY_SMTP_PORT", "70000",
                "GATEWAY_API_URL", "ftp://example.com",
                "GATEWAY_SANDBOX", "yes",
                "GATEWAY_IDLE_TIMEOUT", "5 minutes",
                "GATEWAY_MAX_RECIPIENTS", "0",
                "GATEWAY_TLS_CERT", "/nonexistent/cert.pem",
                "GATEWAY_BARE_LINE_ENDINGS", "ignore",
                "GATEWAY_HOSTNAME", "bad host",
                "GATEWAY_INLINE_IMAGES", "inline",
                "GATEWAY_DEFAULT_EMAIL_TYPE", "promotional")))
                .isInstanceOf(GatewayConfig.ConfigurationException.class)
                .hasMessageContaining("GATEWAY_SMTP_PORT: '70000' (expected: an integer from 0 to 65535)")
                .hasMessageContaining("GATEWAY_API_URL: 'ftp://example.com' (expected: an http:// or https:// URL)")
                .hasMessageContaining("GATEWAY_SANDBOX: 'yes' (expected: true or false)")
                .hasMessageContaining("GATEWAY_IDLE_TIMEOUT: '5 minutes' (expected: a number and ms, s, m or h")
                .hasMessageContaining("GATEWAY_MAX_RECIPIENTS: maxRecipients: 0 (expected: > 0)")
                .hasMessageContaining("GATEWAY_TLS_CERT: '/nonexistent/cert.pem' (expected: a readable PEM file)")
                .hasMessageContaining("GATEWAY_TLS_CERT and GATEWAY_TLS_KEY: only one is set")
                .hasMessageContaining("GATEWAY_BARE_LINE_ENDINGS: 'ignore' (expected: normalize or reject)")
                .hasMessageContaining("GATEWAY_HOSTNAME: hostname: 'bad host' (expected: a domain name)")
                .hasMessageContaining("GATEWAY_INLINE_IMAGES: 'inline' (expected: one of attach, data-uri, refuse)")
                .hasMessageContaining("GATEWAY_DEFAULT_EMAIL_TYPE: 'promotional' (expected: one of transactional,"
                                      + " marketing)");
    }

    @Test
    void theSandboxIsTheApiUnlessAnotherIsConfigured() {
        java.net.URI sandbox = java.net.URI.create("http://127.0.0.1:8025");
        GatewayConfig withSandbox = GatewayConfig.fromEnvironment(Map.of("GATEWAY_SANDBOX", "true"));
        assertThat(withSandbox.effectiveApiUrl(sandbox)).isEqualTo(sandbox);
        assertThat(withSandbox.api().h2c()).isTrue();
        GatewayConfig elsewhere = GatewayConfig.fromEnvironment(Map.of("GATEWAY_SANDBOX", "true",
                "GATEWAY_API_URL", "https://api.example.com"));
        assertThat(elsewhere.effectiveApiUrl(sandbox)).hasToString("https://api.example.com");
        assertThat(elsewhere.api().h2c()).isFalse();
    }

    @Test
    void theReadmeDocumentsEveryVariableWithItsDefault() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        for (GatewayConfig.Variable variable : GatewayConfig.VARIABLES) {
            String defaultValue = variable.defaultValue().startsWith("(") ? variable.defaultValue()
                                                                          : '`' + variable.defaultValue() + '`';
            assertThat(readme).contains("| `" + variable.name() + "` | " + defaultValue + " | ");
        }
    }
}
