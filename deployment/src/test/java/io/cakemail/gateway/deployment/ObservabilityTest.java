package io.cakemail.gateway.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cakemail.gateway.testkit.FreePorts;
import io.cakemail.gateway.testkit.GatewayExtension;
import io.cakemail.gateway.testkit.NodeClients;
import io.cakemail.gateway.testkit.RedisServer;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.openshift.api.model.monitoring.v1.PrometheusRule;
import io.fabric8.openshift.api.model.monitoring.v1.Rule;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The alerts and the dashboard the production values install, checked the way Prometheus and Grafana would meet them:
 * every expression parsed by Prometheus's own PromQL parser, every metric it names found in a real scrape of the
 * gateway's {@code /metrics} (the jar, run with the production settings, Redis and a certificate), every alert linking
 * to its section of the runbooks.
 */
class ObservabilityTest {

    private static final String RUNBOOKS = "https://github.com/cakemail/smtp-gateway/blob/main/docs/runbooks.md#";
    private static final Pattern SAMPLE = Pattern.compile("(?m)^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]");
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final GatewayExtension fixtures = new GatewayExtension();

    private static Manifests manifests;

    @BeforeAll
    static void render() {
        manifests = HelmChart.render(List.of("values-prod.yaml"), Map.of());
    }

    @Test
    void everyAlertLinksToItsRunbookAndEveryRunbookToAnAlert() throws Exception {
        Set<String> sections = new TreeSet<>();
        for (String line : Files.readAllLines(Path.of("..", "docs", "runbooks.md"))) {
            if (line.startsWith("## ")) {
                sections.add(line.substring(3).trim().toLowerCase(java.util.Locale.ROOT));
            }
        }
        Set<String> linked = new TreeSet<>();
        for (Rule rule : rules()) {
            String runbook = rule.getAnnotations().get("runbook_url");
            assertThat(runbook).as(rule.getAlert()).startsWith(RUNBOOKS);
            assertThat(runbook.substring(RUNBOOKS.length()))
                    .isEqualTo(rule.getAlert().toLowerCase(java.util.Locale.ROOT));
            assertThat(rule.getAnnotations()).as(rule.getAlert()).containsKey("summary");
            assertThat(rule.getLabels()).as(rule.getAlert()).containsKey("severity");
            linked.add(runbook.substring(RUNBOOKS.length()));
        }
        assertThat(linked).isEqualTo(sections);
        assertThat(linked)
                .as("what an operator must hear about")
                .contains(
                        "smtpgatewayapifailing",
                        "smtpgatewaybreakeropen",
                        "smtpgatewaytemporaryreplies",
                        "smtpgatewaypermanentreplies",
                        "smtpgatewaymemorybudgetfull",
                        "smtpgatewaycertificateexpiring",
                        "smtpgatewayredisfailing",
                        "smtpgatewaydrainstuck",
                        "smtpgatewaynotraffic");
    }

    @Test
    void everyExpressionParsesAndEveryMetricItNamesIsOneTheGatewayExports(@TempDir Path dir) throws Exception {
        List<String> expressions = new ArrayList<>();
        rules().forEach(rule -> expressions.add(rule.getExpr().getStrVal()));
        expressions.addAll(dashboardExpressions());

        JsonNode parsed = parse(expressions);
        Set<String> named = new TreeSet<>();
        for (JsonNode result : parsed) {
            assertThat(result.get("error").isNull()).as(result.toString()).isTrue();
            result.get("metrics").forEach(metric -> named.add(metric.asText()));
        }
        assertThat(named).hasSizeGreaterThan(20);

        Set<String> exported = exportedByTheGateway(dir);
        assertThat(named).as("named by an alert or a panel, not in the scrape").isSubsetOf(exported);
    }

    private static List<Rule> rules() {
        return manifests.one(PrometheusRule.class).getSpec().getGroups().stream()
                .flatMap(group -> group.getRules().stream())
                .toList();
    }

    /** The panels' queries, with Grafana's {@code $__rate_interval} as Grafana fills it in. */
    private static List<String> dashboardExpressions() throws Exception {
        ConfigMap dashboard = manifests.all(ConfigMap.class).stream()
                .filter(map -> "1".equals(map.getMetadata().getLabels().get("grafana_dashboard")))
                .findFirst()
                .orElseThrow();
        JsonNode model = JSON.readTree(dashboard.getData().get("cakemail-smtp-gateway.json"));
        List<String> expressions = new ArrayList<>();
        for (JsonNode panel : model.get("panels")) {
            assertThat(panel.get("targets")).as(panel.get("title").asText()).isNotEmpty();
            for (JsonNode target : panel.get("targets")) {
                expressions.add(target.get("expr").asText().replace("$__rate_interval", "5m"));
            }
        }
        return expressions;
    }

    private static JsonNode parse(List<String> expressions) throws Exception {
        Path input = Files.createTempFile("promql", ".json");
        Files.writeString(input, JSON.writeValueAsString(expressions));
        Command parser = Command.run(
                NodeClients.folder(),
                Map.of(),
                Duration.ofMinutes(1),
                List.of("sh", "-c", "node promql-metrics.mjs < " + input));
        assertThat(parser.exitCode()).as(parser.output()).isZero();
        return JSON.readTree(parser.output());
    }

    /** The samples' names in a scrape of the jar run with the production settings, Redis and a certificate. */
    private static Set<String> exportedByTheGateway(Path dir) throws Exception {
        RedisServer redis = fixtures.redis();
        Path tls = Certificates.selfSigned(dir, "smtp.example.com");
        int http = FreePorts.next();
        Map<String, String> settings = new HashMap<>(manifests.settings());
        settings.putAll(Map.of(
                "GATEWAY_SMTP_PORT", String.valueOf(FreePorts.next()),
                "GATEWAY_SMTPS_PORT", String.valueOf(FreePorts.next()),
                "GATEWAY_HTTP_PORT", String.valueOf(http),
                "GATEWAY_PROXY_TRUSTED_CIDRS", "127.0.0.0/8",
                "GATEWAY_REDIS_URL", redis.url().toString(),
                "GATEWAY_TLS_CERT", tls.resolve("tls.crt").toString(),
                "GATEWAY_TLS_KEY", tls.resolve("tls.key").toString()));
        Path log = GatewayJar.logFile("gateway-observed");
        Process gateway = GatewayJar.start(settings, log);
        fixtures.manage(gateway::destroyForcibly);
        AdminPort admin = new AdminPort(http);
        admin.awaitReady("the gateway (" + log + ")", Duration.ofSeconds(60));
        String metrics = admin.metrics();
        Set<String> names = new TreeSet<>();
        Matcher samples = SAMPLE.matcher(metrics);
        while (samples.find()) {
            names.add(samples.group(1));
        }
        return names;
    }
}
