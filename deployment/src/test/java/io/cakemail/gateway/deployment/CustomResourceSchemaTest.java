package io.cakemail.gateway.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cakemail.gateway.testkit.NodeClients;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The chart's custom resources (cert-manager's Certificate and ClusterIssuers, the Prometheus Operator's
 * ServiceMonitor and PrometheusRule) validated against their CRDs' schemas, as the kubernetes-models packages on npm publish them:
 * types, enumerations and required fields. Unknown fields are {@link ChartTest}'s, through fabric8's models.
 */
class CustomResourceSchemaTest {

    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
    private static final Set<String> CUSTOM_GROUPS = Set.of("cert-manager.io", "monitoring.coreos.com");

    @ParameterizedTest
    @ValueSource(strings = {"values.yaml", "values-prod.yaml", "values-staging.yaml"})
    void theCustomResourcesMeetTheirSchemas(String valuesFile) throws Exception {
        Manifests manifests = HelmChart.render(
                List.of(valuesFile),
                Map.of(
                        "serviceMonitor.enabled", true,
                        "prometheusRule.enabled", true,
                        "tls.certificate.enabled", true,
                        "tls.certificate.dnsNames[0]", "smtp.example.com"));
        List<HasMetadata> resources = new java.util.ArrayList<>(manifests.resources());
        resources.addAll(HelmChart.render(HelmChart.ISSUERS, List.of("values-example.yaml"), Map.of())
                .resources());
        List<HasMetadata> custom = resources.stream()
                .filter(resource ->
                        CUSTOM_GROUPS.contains(resource.getApiVersion().split("/")[0]))
                .toList();

        Command validation = validate(SERIALIZATION.asJson(custom));

        assertThat(validation.exitCode()).as(validation.output()).isZero();
        assertThat(validation.output().lines())
                .containsExactlyInAnyOrder(
                        "valid Certificate/smtp-gateway-cakemail-smtp-gateway",
                        "valid ClusterIssuer/letsencrypt-staging",
                        "valid ClusterIssuer/letsencrypt-production",
                        "valid ServiceMonitor/smtp-gateway-cakemail-smtp-gateway",
                        "valid PrometheusRule/smtp-gateway-cakemail-smtp-gateway");
    }

    @Test
    void aCertificateThatBreaksItsSchemaIsCaught() throws Exception {
        String broken = new ObjectMapper()
                .writeValueAsString(List.of(Map.of(
                        "apiVersion",
                        "cert-manager.io/v1",
                        "kind",
                        "Certificate",
                        "metadata",
                        Map.of("name", "broken"),
                        "spec",
                        Map.of(
                                "secretName",
                                "tls",
                                "duration",
                                2160,
                                "issuerRef",
                                Map.of("name", "letsencrypt"),
                                "privateKey",
                                Map.of("encoding", "PKCS7")))));

        Command validation = validate(broken);

        assertThat(validation.exitCode()).isEqualTo(1);
        assertThat(validation.output())
                .contains("invalid Certificate/broken")
                .contains("data/spec/duration must be string")
                .contains("data/spec/privateKey/encoding must be equal to one of the allowed values");
    }

    private static Command validate(String resourcesJson) throws IOException, InterruptedException {
        Path clients = NodeClients.folder();
        Path input = Files.createTempFile("resources", ".json");
        Files.writeString(input, resourcesJson);
        return Command.run(
                clients,
                Map.of(),
                Duration.ofMinutes(1),
                List.of("sh", "-c", "node validate-custom-resources.mjs < " + input));
    }
}
