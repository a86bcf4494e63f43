package io.cakemail.gateway.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.LintResult;
import io.fabric8.certmanager.api.model.v1.Certificate;
import io.fabric8.certmanager.api.model.v1.ClusterIssuer;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.openshift.api.model.monitoring.v1.PrometheusRule;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Helm chart, linted strictly and rendered by Helm, every manifest parsed into the Kubernetes model with no
 * field the model does not know, and checked for what an operator relies on.
 */
class ChartTest {

    @Test
    void lintsStrictly() {
        LintResult lint = HelmChart.lint();

        assertThat(lint.isFailed()).as(String.join("\n", lint.getMessages())).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"values.yaml", "values-prod.yaml", "values-staging.yaml"})
    void everyValuesFileRendersManifestsTheKubernetesModelKnowsFully(String valuesFile) {
        Manifests manifests = HelmChart.render(List.of(valuesFile), Map.of());

        assertWellFormed(manifests);
        assertThat(manifests.has(Deployment.class)).isTrue();
        assertThat(manifests.all(Service.class)).hasSize(2);
    }

    static Stream<Arguments> optionalParts() {
        return Stream.of(
                part("autoscaling.enabled", HorizontalPodAutoscaler.class, true),
                part("podDisruptionBudget.enabled", PodDisruptionBudget.class, true),
                part("networkPolicy.enabled", NetworkPolicy.class, true),
                part("serviceAccount.create", ServiceAccount.class, true),
                part("serviceMonitor.enabled", ServiceMonitor.class, false),
                part("tls.certificate.enabled", Certificate.class, false),
                part("prometheusRule.enabled", PrometheusRule.class, false));
    }

    private static Arguments part(String switchName, Class<? extends HasMetadata> kind, boolean onByDefault) {
        return Arguments.of(switchName, kind, onByDefault);
    }

    @ParameterizedTest
    @MethodSource("optionalParts")
    void eachOptionalPartRendersWhenOnAndOnlyThen(
            String switchName, Class<? extends HasMetadata> kind, boolean onByDefault) {
        Map<String, Object> prerequisites = Map.of("tls.certificate.dnsNames[0]", "smtp.example.com");
        Manifests on = HelmChart.render(with(prerequisites, switchName, true));
        Manifests off = HelmChart.render(with(prerequisites, switchName, false));

        assertWellFormed(on);
        assertWellFormed(off);
        assertThat(on.has(kind)).isTrue();
        assertThat(off.has(kind)).isFalse();
        assertThat(HelmChart.render(prerequisites).has(kind)).isEqualTo(onByDefault);
    }

    @Test
    void theCertificatesNameTheIssuersOfTheIssuersChart() {
        assertThat(HelmChart.render(List.of("values-staging.yaml"), Map.of())
                        .one(Certificate.class)
                        .getSpec()
                        .getIssuerRef()
                        .getName())
                .isEqualTo("letsencrypt-staging");
        assertThat(HelmChart.render(List.of("values-prod.yaml"), Map.of())
                        .one(Certificate.class)
                        .getSpec()
                        .getIssuerRef()
                        .getName())
                .isEqualTo("letsencrypt-production");
        assertThat(HelmChart.render(List.of("values-prod.yaml"), Map.of()).has(ClusterIssuer.class))
                .as("issuers are the issuers chart's, installed once, never deleted with a release")
                .isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"values.yaml", "values-prod.yaml", "values-staging.yaml"})
    void containerPortsAreTheGatewaysPortsAndTheServicesReachThem(String valuesFile) {
        Manifests manifests =
                HelmChart.render(List.of(valuesFile), Map.of("gateway.ports.smtp", 3587, "gateway.ports.smtps", 3465));
        Map<String, Integer> ports = portsByName(manifests.gateway());
        Map<String, String> settings = manifests.settings();

        assertThat(ports)
                .containsEntry("smtp", Integer.valueOf(settings.get("GATEWAY_SMTP_PORT")))
                .containsEntry("smtps", Integer.valueOf(settings.get("GATEWAY_SMTPS_PORT")))
                .containsEntry("http", Integer.valueOf(settings.get("GATEWAY_HTTP_PORT")))
                .containsEntry("smtp", 3587)
                .containsEntry("smtps", 3465);
        for (Service service : manifests.all(Service.class)) {
            service.getSpec()
                    .getPorts()
                    .forEach(port -> assertThat(ports)
                            .as(service.getMetadata().getName())
                            .containsKey(port.getTargetPort().getStrVal()));
        }
    }

    @Test
    void smtpIsALoadBalancerThatKeepsTheClientsAddressAndHttpStaysInTheCluster() {
        Manifests manifests = HelmChart.render(List.of("values-prod.yaml"), Map.of());
        Service smtp = service(manifests, "-smtp");
        Service http = service(manifests, "-http");

        assertThat(smtp.getSpec().getType()).isEqualTo("LoadBalancer");
        assertThat(smtp.getSpec().getExternalTrafficPolicy()).isEqualTo("Local");
        assertThat(smtp.getSpec().getPorts()).extracting(port -> port.getPort()).containsExactly(587, 465);
        assertThat(smtp.getMetadata().getAnnotations())
                .containsEntry("service.beta.kubernetes.io/aws-load-balancer-proxy-protocol", "*");
        assertThat(manifests.settings())
                .containsEntry("GATEWAY_PROXY_PROTOCOL", "on")
                .containsEntry("GATEWAY_PROXY_TRUSTED_CIDRS", "10.0.0.0/16");
        assertThat(http.getSpec().getType()).isEqualTo("ClusterIP");
        assertThat(HelmChart.render(Map.of("service.smtp.loadBalancerSourceRanges[0]", "198.51.100.0/24"))
                        .all(Service.class)
                        .stream()
                        .filter(service -> service.getMetadata().getName().endsWith("-smtp"))
                        .findFirst()
                        .orElseThrow()
                        .getSpec()
                        .getLoadBalancerSourceRanges())
                .containsExactly("198.51.100.0/24");
    }

    @Test
    void probesAskTheGatewaysHealthEndpointsOnItsHttpPort() {
        Container gateway = HelmChart.render(Map.of()).gateway();

        assertThat(probe(gateway.getReadinessProbe().getHttpGet())).isEqualTo("http /health/ready");
        assertThat(probe(gateway.getStartupProbe().getHttpGet())).isEqualTo("http /health/ready");
        assertThat(probe(gateway.getLivenessProbe().getHttpGet())).isEqualTo("http /health/live");
    }

    @ParameterizedTest
    @ValueSource(strings = {"values.yaml", "values-prod.yaml", "values-staging.yaml"})
    void aPodsMemoryRequestIsItsLimit(String valuesFile) {
        var resources =
                HelmChart.render(List.of(valuesFile), Map.of()).gateway().getResources();
        assertThat(resources.getRequests().get("memory"))
                .isEqualTo(resources.getLimits().get("memory"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"values.yaml", "values-prod.yaml", "values-staging.yaml"})
    void theGracePeriodCoversThePreStopSleepTheDrainAndTheApiDeadline(String valuesFile) {
        Manifests manifests = HelmChart.render(List.of(valuesFile), Map.of("gateway.drain.timeoutSeconds", 120));
        PodSpec pod = manifests.one(Deployment.class).getSpec().getTemplate().getSpec();
        Map<String, String> settings = manifests.settings();
        long needed = manifests.gateway().getLifecycle().getPreStop().getSleep().getSeconds()
                + seconds(settings.get("GATEWAY_DRAIN_DELAY"))
                + seconds(settings.get("GATEWAY_DRAIN_TIMEOUT"))
                + seconds(settings.get("GATEWAY_API_DEADLINE"));

        assertThat(seconds(settings.get("GATEWAY_DRAIN_TIMEOUT"))).isEqualTo(120);
        assertThat(pod.getTerminationGracePeriodSeconds()).isGreaterThan(needed);
    }

    @Test
    void aGracePeriodTooShortForTheDrainIsRefused() {
        assertThat(HelmChart.render(Map.of("terminationGracePeriodSeconds", 200))
                        .one(Deployment.class)
                        .getSpec()
                        .getTemplate()
                        .getSpec()
                        .getTerminationGracePeriodSeconds())
                .isEqualTo(200);
        assertThatThrownBy(() -> HelmChart.render(Map.of("terminationGracePeriodSeconds", 60)))
                .hasMessageContaining("terminationGracePeriodSeconds 60 is shorter than the 115 s");
        assertThatThrownBy(() -> HelmChart.render(Map.of("gateway.drain.timeoutSeconds", 30)))
                .hasMessageContaining("gateway.drain.timeoutSeconds must be at least gateway.apiDeadlineSeconds");
    }

    /**
     * Behind an AWS NLB, which may open new connections for about two minutes after it begins to deregister a pod:
     * the pod keeps accepting that long, the NLB waits for the pod's sessions as long as the pod may take to stop,
     * and one pod stops at a time.
     */
    @Test
    void behindTheNlbAStoppingPodAcceptsAsLongAsTheBalancerSendsAndTheBalancerWaitsForItsDrain() {
        Manifests manifests = HelmChart.render(List.of("values-prod.yaml"), Map.of());
        PodSpec pod = manifests.one(Deployment.class).getSpec().getTemplate().getSpec();
        long accepting =
                manifests.gateway().getLifecycle().getPreStop().getSleep().getSeconds()
                        + seconds(manifests.settings().get("GATEWAY_DRAIN_DELAY"));
        assertThat(accepting).isGreaterThanOrEqualTo(120);
        String attributes = service(manifests, "-smtp")
                .getMetadata()
                .getAnnotations()
                .get("service.beta.kubernetes.io/aws-load-balancer-target-group-attributes");
        Map<String, String> targetGroup = java.util.Arrays.stream(attributes.split(","))
                .map(pair -> pair.split("=", 2))
                .collect(Collectors.toMap(pair -> pair[0], pair -> pair[1]));
        assertThat(Long.parseLong(targetGroup.get("deregistration_delay.timeout_seconds")))
                .isGreaterThanOrEqualTo(pod.getTerminationGracePeriodSeconds());
        assertThat(targetGroup).containsEntry("deregistration_delay.connection_termination.enabled", "false");
        assertThat(manifests
                        .one(PodDisruptionBudget.class)
                        .getSpec()
                        .getMaxUnavailable()
                        .getIntVal())
                .isEqualTo(1);

        assertThatThrownBy(() -> HelmChart.render(Map.of("service.smtp.deregistrationDelaySeconds", 120)))
                .hasMessageContaining("preStopSleepSeconds + gateway.drain.delaySeconds (10 s) must cover"
                        + " service.smtp.deregistrationDelaySeconds (120 s)");
    }

    @Test
    void theNetworkPolicyLetsDnsTheApiAndRedisThroughAndNothingElse() {
        NetworkPolicy withoutRedis = HelmChart.render(Map.of()).one(NetworkPolicy.class);
        NetworkPolicy withRedis =
                HelmChart.render(List.of("values-prod.yaml"), Map.of()).one(NetworkPolicy.class);

        assertThat(withoutRedis.getSpec().getPolicyTypes()).containsExactly("Ingress", "Egress");
        assertThat(egressPorts(withoutRedis)).containsExactlyInAnyOrder("UDP/53", "TCP/53", "TCP/443");
        NetworkPolicyEgressRule dns = withoutRedis.getSpec().getEgress().get(0);
        assertThat(dns.getTo().get(0).getPodSelector().getMatchLabels()).containsEntry("k8s-app", "kube-dns");
        NetworkPolicyEgressRule api = withoutRedis.getSpec().getEgress().get(1);
        assertThat(api.getTo().get(0).getIpBlock().getCidr()).isEqualTo("0.0.0.0/0");
        assertThat(egressPorts(withRedis)).containsExactlyInAnyOrder("UDP/53", "TCP/53", "TCP/443", "TCP/6379");
        assertThat(withRedis.getSpec().getIngress())
                .flatExtracting(rule -> rule.getPorts())
                .extracting(port -> port.getPort().getStrVal())
                .containsExactlyInAnyOrder("smtp", "smtps", "http");
    }

    @Test
    void thePodRunsUnprivilegedOnAReadOnlyRootWithTmpWritable() {
        Manifests manifests = HelmChart.render(Map.of("tls.secretName", "gateway-tls"));
        PodSpec pod = manifests.one(Deployment.class).getSpec().getTemplate().getSpec();
        Container gateway = manifests.gateway();

        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        assertThat(pod.getAutomountServiceAccountToken()).isFalse();
        assertThat(pod.getEnableServiceLinks())
                .as("no GATEWAY_SANDBOX_PORT=tcp://... from a Service named gateway-sandbox")
                .isFalse();
        assertThat(gateway.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(gateway.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(gateway.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(gateway.getSecurityContext().getCapabilities().getAdd()).isNullOrEmpty();
        assertThat(gateway.getResources().getRequests()).hasToString("{cpu=500m, memory=1Gi}");
        assertThat(gateway.getResources().getLimits()).hasToString("{cpu=1000m, memory=1Gi}");
        Map<String, String> mounts = gateway.getVolumeMounts().stream()
                .collect(Collectors.toMap(VolumeMount::getName, VolumeMount::getMountPath));
        assertThat(mounts).containsEntry("tmp", "/tmp").containsEntry("tls", "/etc/gateway/tls");
        assertThat(gateway.getVolumeMounts())
                .allSatisfy(mount -> assertThat(mount.getSubPath())
                        .as("a subPath mount never sees a renewed Secret")
                        .isNull());
        assertThat(pod.getVolumes())
                .filteredOn(volume -> volume.getSecret() != null)
                .singleElement()
                .satisfies(volume -> assertThat(volume.getSecret().getOptional())
                        .as("a pod starts before its certificate is issued")
                        .isTrue());
        assertThat(manifests.settings())
                .containsEntry("GATEWAY_TLS_CERT", "/etc/gateway/tls/tls.crt")
                .containsEntry("GATEWAY_TLS_KEY", "/etc/gateway/tls/tls.key");
        assertThat(pod.getAffinity().getPodAntiAffinity().getPreferredDuringSchedulingIgnoredDuringExecution())
                .hasSize(1);
        assertThat(pod.getTopologySpreadConstraints()).hasSize(1);
    }

    @Test
    void theCertificateAsksForAPkcs8KeyInTheSecretThePodMounts() {
        Manifests manifests = HelmChart.render(List.of("values-prod.yaml"), Map.of());
        Certificate certificate = manifests.one(Certificate.class);
        String mounted = manifests.one(Deployment.class).getSpec().getTemplate().getSpec().getVolumes().stream()
                .filter(volume -> volume.getSecret() != null)
                .findFirst()
                .orElseThrow()
                .getSecret()
                .getSecretName();

        assertThat(certificate.getSpec().getPrivateKey().getEncoding()).isEqualTo("PKCS8");
        assertThat(certificate.getSpec().getSecretName()).isEqualTo(mounted);
        assertThat(certificate.getSpec().getDnsNames()).containsExactly("smtp.cakemail.example");
    }

    @Test
    void theRedisUrlComesFromASecretAndOtherSettingsFromExtraEnv() {
        Manifests manifests = HelmChart.render(List.of("values-prod.yaml"), Map.of());

        assertThat(manifests.gateway().getEnv())
                .filteredOn(variable -> variable.getName().equals("GATEWAY_REDIS_URL"))
                .singleElement()
                .satisfies(variable -> assertThat(
                                variable.getValueFrom().getSecretKeyRef().getName())
                        .isEqualTo("smtp-gateway-redis"));
        assertThat(manifests.settings()).containsEntry("GATEWAY_MAX_CONNECTIONS", "1000");
        assertThat(manifests.settings()).doesNotContainKey("GATEWAY_REDIS_URL");
    }

    @Test
    void theAutoscalerAndDisruptionBudgetFollowTheSpec() {
        Manifests manifests = HelmChart.render(Map.of());
        HorizontalPodAutoscaler autoscaler = manifests.one(HorizontalPodAutoscaler.class);

        assertThat(autoscaler.getSpec().getMinReplicas()).isEqualTo(2);
        assertThat(autoscaler.getSpec().getMaxReplicas()).isEqualTo(10);
        assertThat(autoscaler
                        .getSpec()
                        .getMetrics()
                        .get(0)
                        .getResource()
                        .getTarget()
                        .getAverageUtilization())
                .isEqualTo(70);
        assertThat(manifests.one(Deployment.class).getSpec().getReplicas())
                .as("the autoscaler owns the count")
                .isNull();
        assertThat(manifests
                        .one(PodDisruptionBudget.class)
                        .getSpec()
                        .getMinAvailable()
                        .getIntVal())
                .isEqualTo(1);
    }

    /** What well-kept charts let an operator add, each where Kubernetes expects it. */
    @Test
    void anOperatorCanPinTheImageAddEnvironmentVolumesAffinityAndStorageAndBoundDisruptions() {
        String digest = "sha256:" + "ab".repeat(32);
        Map<String, Object> set = new java.util.LinkedHashMap<>();
        set.put("image.digest", digest);
        set.put("extraEnvFrom[0].secretRef.name", "gateway-extra");
        set.put("extraVolumes[0].name", "redis-ca");
        set.put("extraVolumes[0].secret.secretName", "redis-ca");
        set.put("extraVolumeMounts[0].name", "redis-ca");
        set.put("extraVolumeMounts[0].mountPath", "/etc/gateway/redis-ca");
        set.put(
                "affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0]"
                        + ".matchExpressions[0].key",
                "kubernetes.io/arch");
        set.put(
                "affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0]"
                        + ".matchExpressions[0].operator",
                "In");
        set.put(
                "affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0]"
                        + ".matchExpressions[0].values[0]",
                "arm64");
        set.put("resources.requests.ephemeral-storage", "64Mi");
        set.put("resources.limits.ephemeral-storage", "128Mi");
        set.put("podDisruptionBudget.minAvailable", "null");
        set.put("podDisruptionBudget.maxUnavailable", 1);
        set.put("podAnnotations.example\\.com/team", "mail");
        Manifests manifests = HelmChart.render(set);
        assertWellFormed(manifests);
        PodSpec pod = manifests.one(Deployment.class).getSpec().getTemplate().getSpec();
        Container gateway = manifests.gateway();

        assertThat(gateway.getImage()).isEqualTo("ghcr.io/cakemail/smtp-gateway@" + digest);
        assertThat(gateway.getEnvFrom())
                .hasSize(2)
                .last()
                .satisfies(source -> assertThat(source.getSecretRef().getName()).isEqualTo("gateway-extra"));
        assertThat(pod.getVolumes())
                .filteredOn(volume -> volume.getSecret() != null)
                .extracting(volume -> volume.getSecret().getSecretName())
                .contains("redis-ca");
        assertThat(gateway.getVolumeMounts())
                .anySatisfy(mount -> assertThat(mount.getMountPath()).isEqualTo("/etc/gateway/redis-ca"));
        assertThat(pod.getAffinity().getPodAntiAffinity())
                .as("replaced by the affinity given")
                .isNull();
        assertThat(pod.getAffinity().getNodeAffinity()).isNotNull();
        assertThat(gateway.getResources().getRequests()).containsKey("ephemeral-storage");
        assertThat(gateway.getResources().getLimits().get("ephemeral-storage")).hasToString("128Mi");
        var budget = manifests.one(PodDisruptionBudget.class).getSpec();
        assertThat(budget.getMaxUnavailable().getIntVal()).isEqualTo(1);
        assertThat(budget.getMinAvailable()).isNull();
        assertThat(manifests
                        .one(Deployment.class)
                        .getSpec()
                        .getTemplate()
                        .getMetadata()
                        .getAnnotations())
                .containsEntry("example.com/team", "mail");
    }

    /** As a dependency of another chart: Helm hands every subchart the parent's {@code global} values. */
    @Test
    void itRendersAsASubchartOfAnotherReleaseWithGlobalValues(@TempDir Path parent) throws Exception {
        Manifests manifests = HelmChart.renderAsSubchart(
                parent,
                String.join(
                        "\n",
                        "global:",
                        "  imageRegistry: registry.example.com",
                        "  storageClass: fast",
                        HelmChart.CHART_NAME + ":",
                        "  gateway:",
                        "    hostname: smtp.example.org",
                        ""));
        assertWellFormed(manifests);
        assertThat(manifests.settings()).containsEntry("GATEWAY_HOSTNAME", "smtp.example.org");
    }

    @Test
    void theAutoscalerCanAlsoFollowOpenSessions() {
        var metrics = HelmChart.render(Map.of("autoscaling.targetActiveConnections", 600))
                .one(HorizontalPodAutoscaler.class)
                .getSpec()
                .getMetrics();
        assertThat(metrics).extracting(metric -> metric.getType()).containsExactly("Resource", "Pods");
        assertThat(metrics.get(1).getPods().getMetric().getName()).isEqualTo("smtp_active_connections");
        assertThat(metrics.get(1).getPods().getTarget().getAverageValue()).hasToString("600");
    }

    @Test
    void theServiceMonitorScrapesMetricsOnTheHttpPort() {
        ServiceMonitor monitor =
                HelmChart.render(Map.of("serviceMonitor.enabled", true)).one(ServiceMonitor.class);

        assertThat(monitor.getSpec().getEndpoints()).singleElement().satisfies(endpoint -> {
            assertThat(endpoint.getPort()).isEqualTo("http");
            assertThat(endpoint.getPath()).isEqualTo("/metrics");
        });
    }

    static Stream<Arguments> wrongValues() {
        return Stream.of(
                Arguments.of("gateway.hostnme", "smtp.example.com", "additional properties 'hostnme' not allowed"),
                Arguments.of("replicaCount", "two", "'/replicaCount': got string, want integer"),
                Arguments.of("gateway.logFormat", "xml", "'/gateway/logFormat': value must be one of"),
                Arguments.of("gateway.ports.smtp", 70000, "'/gateway/ports/smtp': maximum"),
                Arguments.of("gateway.extraEnv.GATEWAY_SMTP_PORT", "x", "invalid propertyName 'GATEWAY_SMTP_PORT'"),
                Arguments.of("gateway.extraEnv.max_connections", "x", "'max_connections' does not match pattern"),
                Arguments.of("podAntiAffinity", "always", "'/podAntiAffinity': value must be one of"),
                Arguments.of("image.digest", "latest", "'/image/digest': 'latest' does not match pattern"),
                Arguments.of("podDisruptionBudget.maxUnavailable", 1, "'/podDisruptionBudget': 'not' failed"),
                Arguments.of(
                        "gateway.proxyProtocol.trustedCidrs[0]",
                        "10.0.0.0",
                        "'/gateway/proxyProtocol/trustedCidrs/0': '10.0.0.0' does not match pattern"));
    }

    @ParameterizedTest
    @MethodSource("wrongValues")
    void theSchemaRejectsAWrongValue(String key, Object value, String complaint) {
        assertThatThrownBy(() -> HelmChart.render(Map.of(key, value)))
                .hasMessageContaining("values don't meet the specifications of the schema")
                .hasMessageContaining(complaint);
    }

    private static void assertWellFormed(Manifests manifests) {
        assertThat(manifests.resources()).isNotEmpty();
        for (HasMetadata resource : manifests.resources()) {
            String name = resource.getKind() + "/" + resource.getMetadata().getName();
            assertThat(resource).as(name + " has a model").isNotInstanceOf(GenericKubernetesResource.class);
            assertThat(UnknownFields.in(resource))
                    .as(name + ": fields the model does not know")
                    .isEmpty();
            assertThat(resource.getMetadata().getLabels())
                    .as(name)
                    .containsEntry("app.kubernetes.io/instance", HelmChart.RELEASE);
        }
    }

    private static Map<String, Object> with(Map<String, Object> values, String key, Object value) {
        Map<String, Object> all = new HashMap<>(values);
        all.put(key, value);
        return all;
    }

    private static Map<String, Integer> portsByName(Container container) {
        return container.getPorts().stream()
                .collect(Collectors.toMap(ContainerPort::getName, ContainerPort::getContainerPort));
    }

    private static Service service(Manifests manifests, String suffix) {
        return manifests.all(Service.class).stream()
                .filter(service -> service.getMetadata().getName().endsWith(suffix))
                .findFirst()
                .orElseThrow();
    }

    private static String probe(HTTPGetAction get) {
        return get.getPort().getStrVal() + " " + get.getPath();
    }

    private static List<String> egressPorts(NetworkPolicy policy) {
        Function<NetworkPolicyPort, String> name =
                port -> port.getProtocol() + "/" + port.getPort().getIntVal();
        return policy.getSpec().getEgress().stream()
                .flatMap(rule -> rule.getPorts().stream())
                .map(name)
                .toList();
    }

    /** A whole number of seconds written as the gateway reads it: {@code 45s}. */
    private static long seconds(String duration) {
        assertThat(duration).matches("[0-9]+s");
        return Long.parseLong(duration.substring(0, duration.length() - 1));
    }
}
