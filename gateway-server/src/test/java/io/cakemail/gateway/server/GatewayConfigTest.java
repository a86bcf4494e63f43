package io.cakemail.gateway.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cakemail.gateway.common.Setting;
import io.cakemail.gateway.core.transform.TransformConfig;
import io.cakemail.gateway.server.config.GatewayConfig;
import io.cakemail.gateway.server.config.Subnets;
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
        assertThat(config.api().h2c()).isFalse();
        assertThat(config.api().maxConnections()).isEqualTo(64);
        assertThat(config.api().messageDeadline()).isEqualTo(Duration.ofSeconds(45));
        assertThat(config.api().maxAttempts()).isEqualTo(3);
        assertThat(config.api().defaultEmailType()).isEqualTo("transactional");
        assertThat(config.api().defaultListId()).isNull();
        assertThat(config.memoryBudget()).as("worked out at start").isZero();
        assertThat(config.drainTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(config.drainDelay()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.tlsReloadInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.transform().maxJsonSize()).isEqualTo(40L << 20);
        assertThat(config.sandbox()).isFalse();
        assertThat(config.maxConnections()).isEqualTo(1000);
        assertThat(config.limits().connectionsPerClient()).isEqualTo(10);
        assertThat(config.limits().exempt()).hasToString("127.0.0.0/8,::1/128");
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
                Map.entry("GATEWAY_MAX_JSON_SIZE", "2MiB"),
                Map.entry("GATEWAY_MEMORY_BUDGET", "512KiB"),
                Map.entry("GATEWAY_API_MAX_ATTEMPTS", "5"),
                Map.entry("GATEWAY_API_BACKOFF", "50ms"),
                Map.entry("GATEWAY_BREAKER_WINDOW", "10"),
                Map.entry("GATEWAY_BREAKER_OPEN_DURATION", "1m"),
                Map.entry("GATEWAY_NO_RESEND_MAX", "500"),
                Map.entry("GATEWAY_DRAIN_TIMEOUT", "2m"),
                Map.entry("GATEWAY_MAX_RECIPIENTS", "5"),
                Map.entry("GATEWAY_MAX_LINE_LENGTH", "1000"),
                Map.entry("GATEWAY_MAX_ERRORS", "4"),
                Map.entry("GATEWAY_MAX_AUTH_FAILURES", "2"),
                Map.entry("GATEWAY_IDLE_TIMEOUT", "30s"),
                Map.entry("GATEWAY_SESSION_TIMEOUT", "1h"),
                Map.entry("GATEWAY_BARE_LINE_ENDINGS", "reject"),
                Map.entry("GATEWAY_IO_THREADS", "3"),
                Map.entry("GATEWAY_MAX_MIME_DEPTH", "4"),
                Map.entry("GATEWAY_MAX_ATTACHMENT_SIZE", "2KiB"),
                Map.entry("GATEWAY_UNSUPPORTED_ATTACHMENTS", "omit"),
                Map.entry("GATEWAY_INLINE_IMAGES", "data-uri"),
                Map.entry("GATEWAY_MISSING_CONTENT", "Placeholder"),
                Map.entry("GATEWAY_SANDBOX_PORT", "9025"),
                Map.entry("GATEWAY_API_H2C", "true"),
                Map.entry("GATEWAY_API_MAX_CONNECTIONS", "4"),
                Map.entry("GATEWAY_API_DEADLINE", "20s"),
                Map.entry("GATEWAY_DEFAULT_EMAIL_TYPE", "marketing"),
                Map.entry("GATEWAY_DEFAULT_LIST_ID", "12"),
                Map.entry("GATEWAY_DRAIN_DELAY", "15s"),
                Map.entry("GATEWAY_TLS_RELOAD_INTERVAL", "1m"),
                Map.entry("GATEWAY_PROXY_PROTOCOL", "on"),
                Map.entry("GATEWAY_PROXY_TRUSTED_CIDRS", "10.0.0.0/8,fd00::/8"),
                Map.entry("GATEWAY_PROXY_TIMEOUT", "3s")));
        assertThat(config)
                .isEqualTo(new GatewayConfig(
                        "127.0.0.1",
                        587,
                        465,
                        9090,
                        cert,
                        key,
                        Duration.ofMillis(500),
                        Duration.ofMinutes(1),
                        new GatewayConfig.ProxyProtocol(
                                true, Subnets.parse("10.0.0.0/8, fd00::/8"), Duration.ofSeconds(3)),
                        java.net.URI.create("http://127.0.0.1:8025"),
                        true,
                        9025,
                        "127.0.0.1",
                        50,
                        config.limits(),
                        config.redis(),
                        3,
                        512 * 1024,
                        Duration.ofSeconds(15),
                        Duration.ofMinutes(2),
                        config.smtp(),
                        config.transform(),
                        config.api()));
        assertThat(config.api().baseUri()).hasToString("http://127.0.0.1:8025");
        assertThat(config.api().h2c()).isTrue();
        assertThat(config.api().maxConnections()).isEqualTo(4);
        assertThat(config.api().messageDeadline()).isEqualTo(Duration.ofSeconds(20));
        assertThat(config.api().maxAttempts()).isEqualTo(5);
        assertThat(config.api().backoffBase()).isEqualTo(Duration.ofMillis(50));
        assertThat(config.api().breakerWindow()).isEqualTo(10);
        assertThat(config.api().breakerOpenDuration()).isEqualTo(Duration.ofMinutes(1));
        assertThat(config.api().acceptedMemorySize()).isEqualTo(500);
        assertThat(config.api().defaultEmailType()).isEqualTo("marketing");
        assertThat(config.api().defaultListId()).isEqualTo(12L);
        assertThat(config.transform().maxJsonSize()).isEqualTo(2L << 20);
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
                .hasMessageContaining("GATEWAY_IDLE_TIMEOUT: '5 minutes' (expected: a number above 0 and ms, s, m or h")
                .hasMessageContaining("GATEWAY_MAX_RECIPIENTS: '0' (expected: an integer from 1 to 2147483647)")
                .hasMessageContaining(
                        "GATEWAY_TLS_CERT: '/nonexistent/cert.pem' (expected: a readable PEM file, or one to come in an existing directory)")
                .hasMessageContaining("GATEWAY_TLS_CERT and GATEWAY_TLS_KEY: only one is set")
                .hasMessageContaining("GATEWAY_BARE_LINE_ENDINGS: 'ignore' (expected: one of normalize, reject)")
                .hasMessageContaining("GATEWAY_HOSTNAME: hostname: 'bad host' (expected: a domain name)")
                .hasMessageContaining("GATEWAY_INLINE_IMAGES: 'inline' (expected: one of attach, data-uri, refuse)")
                .hasMessageContaining(
                        "GATEWAY_DEFAULT_EMAIL_TYPE: 'promotional' (expected: one of transactional," + " marketing)");
    }

    /** Reproduced in a cluster: a Service named gateway-sandbox in the namespace, and every pod exited 2. */
    @Test
    void aKubernetesServiceLinkInAPortIsNamedForWhatItIs() {
        assertThatThrownBy(() -> GatewayConfig.fromEnvironment(Map.of("GATEWAY_SANDBOX_PORT", "tcp://10.96.0.12:8080")))
                .hasMessageContaining("GATEWAY_SANDBOX_PORT: 'tcp://10.96.0.12:8080' (expected: an integer")
                .hasMessageContaining("a Kubernetes service link, set because a Service named gateway-sandbox exists")
                .hasMessageContaining("enableServiceLinks: false");
        assertThatThrownBy(() -> GatewayConfig.fromEnvironment(Map.of("GATEWAY_SMTP_PORT", "twenty-five")))
                .hasMessageNotContaining("service link");
    }

    @Test
    void credentialsInAUrlAreMaskedInTheStartupSummaryAndInProblems() {
        assertThat(GatewayConfig.effectiveSettings(Map.of("GATEWAY_REDIS_URL", "redis://user:s3cret@redis:6379/0")))
                .contains("GATEWAY_REDIS_URL=redis://***@redis:6379/0")
                .noneMatch(line -> line.contains("s3cret"));
        assertThatThrownBy(() -> GatewayConfig.fromEnvironment(Map.of("GATEWAY_REDIS_URL", "http://:s3cret@redis")))
                .hasMessageContaining("GATEWAY_REDIS_URL: 'http://***@redis' (expected: a redis://")
                .hasMessageNotContaining("s3cret");
    }

    @Test
    void cidrBlocksAreIpLiteralsWithAPrefixThatFits() {
        for (String bad : new String[] {"10.0.0.0/33", "example.com/8", "10.0.0.0", "fd00::/129", "10.0.0.0/x"}) {
            assertThatThrownBy(() -> GatewayConfig.fromEnvironment(Map.of("GATEWAY_LIMITS_EXEMPT_CIDRS", bad)))
                    .hasMessageContaining("GATEWAY_LIMITS_EXEMPT_CIDRS: '" + bad + "' (expected: CIDR blocks");
        }
        assertThatThrownBy(() -> GatewayConfig.fromEnvironment(Map.of("GATEWAY_PROXY_PROTOCOL", "on")))
                .hasMessageContaining("GATEWAY_PROXY_TRUSTED_CIDRS: empty while GATEWAY_PROXY_PROTOCOL is on");
        Subnets subnets = Subnets.parse("10.1.0.0/16, 2001:db8::/32");
        assertThat(subnets.contains(new java.net.InetSocketAddress("10.1.200.3", 25)))
                .isTrue();
        assertThat(subnets.contains(new java.net.InetSocketAddress("10.2.0.1", 25)))
                .isFalse();
        assertThat(subnets.contains(new java.net.InetSocketAddress("2001:db8:ffff::1", 25)))
                .isTrue();
        assertThat(subnets.contains(new java.net.InetSocketAddress("2001:db9::1", 25)))
                .isFalse();
        Subnets uneven = Subnets.parse("10.1.128.0/17");
        assertThat(uneven.contains(new java.net.InetSocketAddress("10.1.200.3", 25)))
                .isTrue();
        assertThat(uneven.contains(new java.net.InetSocketAddress("10.1.100.3", 25)))
                .isFalse();
    }

    @Test
    void theSandboxIsTheApiUnlessAnotherIsConfigured() {
        java.net.URI sandbox = java.net.URI.create("http://127.0.0.1:8025");
        GatewayConfig withSandbox = GatewayConfig.fromEnvironment(Map.of("GATEWAY_SANDBOX", "true"));
        assertThat(withSandbox.effectiveApiUrl(sandbox)).isEqualTo(sandbox);
        assertThat(withSandbox.api().h2c()).isTrue();
        GatewayConfig elsewhere = GatewayConfig.fromEnvironment(
                Map.of("GATEWAY_SANDBOX", "true", "GATEWAY_API_URL", "https://api.example.com"));
        assertThat(elsewhere.effectiveApiUrl(sandbox)).hasToString("https://api.example.com");
        assertThat(elsewhere.api().h2c()).isFalse();
    }

    @Test
    void sizesAndDurationsTakeUnitsAndShowTheirDefaultsInThem() {
        assertThat(Setting.parseSize("35MiB")).isEqualTo(36_700_160);
        assertThat(Setting.parseSize("36700160")).isEqualTo(36_700_160);
        assertThat(Setting.parseSize("256KiB")).isEqualTo(262_144);
        assertThat(Setting.parseSize("1GiB")).isEqualTo(1L << 30);
        assertThatThrownBy(() -> Setting.parseSize("35MB"))
                .hasMessage("'35MB' (expected: octets, such as 36700160" + " or 35MiB)");
        assertThatThrownBy(() -> Setting.parseSize("0")).isInstanceOf(IllegalArgumentException.class);
        assertThat(Setting.formatSize(36_700_160)).isEqualTo("35MiB");
        assertThat(Setting.formatSize(1000)).isEqualTo("1000");
        assertThatThrownBy(() -> Setting.parseDuration("0s")).isInstanceOf(IllegalArgumentException.class);
        assertThat(Setting.formatDuration(Duration.ofSeconds(45))).isEqualTo("45s");
        assertThat(Setting.formatDuration(Duration.ofSeconds(60))).isEqualTo("1m");
        assertThat(Setting.formatDuration(Duration.ofHours(24))).isEqualTo("24h");
        assertThat(Setting.formatDuration(Duration.ofMillis(200))).isEqualTo("200ms");
    }

    @Test
    void theEffectiveSettingsListEveryVariableWithItsValue() {
        assertThat(GatewayConfig.effectiveSettings(Map.of("GATEWAY_SMTP_PORT", "587")))
                .hasSize(GatewayConfig.SETTINGS.size())
                .contains("GATEWAY_SMTP_PORT=587", "GATEWAY_MAX_MESSAGE_SIZE=35MiB", "GATEWAY_TLS_CERT=(none)");
    }
}
