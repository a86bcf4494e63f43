package io.cakemail.gateway.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.cakemail.gateway.testkit.Await;
import io.cakemail.gateway.testkit.FreePorts;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The gateway's jar run with the settings the chart renders into its ConfigMap: it accepts them, its probes answer
 * where the Deployment points them, and on SIGTERM it drains and exits 0 well within the pod's grace period.
 */
class ChartSettingsOnTheGatewayTest {

    /** How long a probe is asked again when its connection fails: a kept-alive one may be closed under it. */
    private static final Duration RETRY = Duration.ofSeconds(2);

    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private Process gateway;
    private Path log;

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.destroyForcibly();
        }
    }

    @Test
    void theProbesAnswerWhereTheDeploymentPointsThemAndTheDrainEndsWithinTheGracePeriod() throws Exception {
        Manifests manifests = HelmChart.render(Map.of(
                "gateway.ports.smtp", FreePorts.next(),
                "gateway.ports.smtps", FreePorts.next(),
                "gateway.ports.http", FreePorts.next(),
                "gateway.drain.delaySeconds", 2));
        Container container = manifests.gateway();
        start(manifests.settings());

        Probe startup = container.getStartupProbe();
        Duration startupBudget = Duration.ofSeconds((long) startup.getPeriodSeconds() * startup.getFailureThreshold());
        assertThat(statusWithin(container, startup.getHttpGet(), 200, startupBudget))
                .as("started within the startup probe's budget")
                .isEqualTo(200);
        assertThat(status(container, container.getReadinessProbe().getHttpGet(), RETRY))
                .isEqualTo(200);
        assertThat(status(container, container.getLivenessProbe().getHttpGet(), RETRY))
                .isEqualTo(200);

        long stopping = System.nanoTime();
        gateway.destroy();
        Probe readiness = container.getReadinessProbe();
        assertThat(statusWithin(
                        container, readiness.getHttpGet(), 503, Duration.ofSeconds(readiness.getPeriodSeconds())))
                .as("readiness fails as soon as the drain starts")
                .isEqualTo(503);
        long grace = manifests
                .one(Deployment.class)
                .getSpec()
                .getTemplate()
                .getSpec()
                .getTerminationGracePeriodSeconds();
        assertThat(gateway.waitFor(grace, TimeUnit.SECONDS))
                .as(Files.readString(log))
                .isTrue();
        assertThat(gateway.exitValue()).isZero();
        assertThat(Duration.ofNanos(System.nanoTime() - stopping)).isGreaterThanOrEqualTo(Duration.ofSeconds(2));
    }

    private void start(Map<String, String> settings) throws IOException {
        log = GatewayJar.logFile("gateway-from-chart");
        gateway = GatewayJar.start(settings, log);
    }

    /** Asks the probe again and again until it answers {@code expected} or {@code budget} is spent. */
    private int statusWithin(Container container, HTTPGetAction probe, int expected, Duration budget) {
        return Await.value(
                probe.getPath() + " answering " + expected,
                budget,
                () -> status(container, probe, RETRY),
                status -> status == expected);
    }

    /** The probe's answer, asked until it answers at all or {@code patience} is spent. */
    private int status(Container container, HTTPGetAction probe, Duration patience) throws IOException {
        int port = container.getPorts().stream()
                .filter(candidate -> candidate.getName().equals(probe.getPort().getStrVal()))
                .map(ContainerPort::getContainerPort)
                .findFirst()
                .orElseThrow();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + probe.getPath()))
                .timeout(Duration.ofSeconds(5))
                .build();
        try {
            return Await.value(
                    "an answer from " + request.uri(),
                    patience,
                    () -> HTTP.send(request, HttpResponse.BodyHandlers.discarding())
                            .statusCode(),
                    status -> true);
        } catch (ConditionTimeoutException e) {
            String state = gateway.isAlive() ? "running" : "exited " + gateway.exitValue();
            throw new AssertionError(
                    "no answer from " + request.uri() + " (gateway " + state + "): " + Files.readString(log), e);
        }
    }
}
