package io.cakemail.gateway.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

import io.fabric8.certmanager.api.model.v1.ClusterIssuer;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The issuers' chart: Let's Encrypt staging and production, solved by DNS-01 (an SMTP host name serves no web site
 * for HTTP-01 to prove), the OVH webhook by default with the one permission it needs, installed once and kept when
 * its release is uninstalled.
 */
class IssuersChartTest {

    private static final List<String> EXAMPLE = List.of("values-example.yaml");

    @Test
    void itLintsStrictlyWithTheExampleValues(@TempDir Path work) throws Exception {
        var lint = HelmChart.lint(HelmChart.ISSUERS, "values-example.yaml", work);
        assertThat(lint.isFailed()).as(String.join("\n", lint.getMessages())).isFalse();
    }

    @Test
    void theIssuersSolveDns01ThroughTheOvhWebhookAndOutliveTheirRelease() {
        Manifests manifests = HelmChart.render(HelmChart.ISSUERS, EXAMPLE, Map.of());
        assertThat(manifests.resources()).noneMatch(GenericKubernetesResource.class::isInstance);

        List<ClusterIssuer> issuers = manifests.all(ClusterIssuer.class);
        assertThat(issuers)
                .extracting(
                        issuer -> issuer.getMetadata().getName(),
                        issuer -> issuer.getSpec().getAcme().getServer())
                .containsExactlyInAnyOrder(
                        tuple("letsencrypt-staging", "https://acme-staging-v02.api.letsencrypt.org/directory"),
                        tuple("letsencrypt-production", "https://acme-v02.api.letsencrypt.org/directory"));
        for (ClusterIssuer issuer : issuers) {
            assertThat(issuer.getMetadata().getAnnotations()).containsEntry("helm.sh/resource-policy", "keep");
            assertThat(issuer.getSpec().getAcme().getEmail()).isEqualTo("ops@cakemail.example");
            var solver = issuer.getSpec().getAcme().getSolvers().get(0);
            assertThat(solver.getHttp01()).isNull();
            var webhook = solver.getDns01().getWebhook();
            assertThat(webhook.getGroupName()).isEqualTo("acme.cakemail.example");
            assertThat(webhook.getSolverName()).isEqualTo("ovh");
            assertThat(webhook.getConfig().toString())
                    .contains("ovh-eu", "7kbG7Bk7S9Nt7ZSV", "ovh-credentials", "applicationSecret", "consumerKey");
        }

        Role role = manifests.one(Role.class);
        assertThat(role.getRules()).singleElement().satisfies(rule -> {
            assertThat(rule.getResources()).containsExactly("secrets");
            assertThat(rule.getResourceNames()).containsExactly("ovh-credentials");
            assertThat(rule.getVerbs()).containsExactlyInAnyOrder("get", "watch");
        });
        assertThat(manifests.one(RoleBinding.class).getSubjects())
                .singleElement()
                .satisfies(subject -> {
                    assertThat(subject.getName()).isEqualTo("cert-manager-webhook-ovh");
                    assertThat(subject.getNamespace()).isEqualTo("cert-manager");
                });
    }

    @Test
    void anotherDns01SolverReplacesOvhAndHttp01IsRefused() {
        Manifests route53 = HelmChart.render(
                HelmChart.ISSUERS,
                List.of(),
                Map.of(
                        "email", "ops@example.com",
                        "ovh.enabled", false,
                        "solvers[0].dns01.route53.region", "eu-west-1"));
        assertThat(route53.all(ClusterIssuer.class))
                .allSatisfy(issuer -> assertThat(issuer.getSpec()
                                .getAcme()
                                .getSolvers()
                                .get(0)
                                .getDns01()
                                .getRoute53()
                                .getRegion())
                        .isEqualTo("eu-west-1"));
        assertThat(route53.has(Role.class)).isFalse();

        assertThatThrownBy(() -> HelmChart.render(
                        HelmChart.ISSUERS,
                        List.of(),
                        Map.of(
                                "email", "ops@example.com",
                                "ovh.enabled", false,
                                "solvers[0].http01.ingress.ingressClassName", "nginx")))
                .hasMessageContaining("'/solvers/0': missing property 'dns01'");
        assertThatThrownBy(() -> HelmChart.render(
                        HelmChart.ISSUERS, List.of(), Map.of("email", "ops@example.com", "ovh.enabled", false)))
                .hasMessageContaining("solvers must name a DNS-01 solver");
        assertThatThrownBy(() -> HelmChart.render(HelmChart.ISSUERS, List.of(), Map.of("email", "ops@example.com")))
                .hasMessageContaining("ovh.applicationKey is required");
        assertThatThrownBy(() -> HelmChart.render(HelmChart.ISSUERS, List.of(), Map.of()))
                .hasMessageContaining("email is required by Let's Encrypt");
    }
}
