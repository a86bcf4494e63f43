package io.cakemail.gateway.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cakemail.gateway.testkit.Await;
import io.cakemail.gateway.testkit.FreePorts;
import io.cakemail.gateway.testkit.GatewayExtension;
import io.cakemail.gateway.testkit.HaproxyServer;
import io.cakemail.gateway.testkit.RedisServer;
import io.cakemail.sandbox.CakemailSandbox;
import io.cakemail.sandbox.Inbox;
import io.cakemail.sandbox.SandboxConfig;
import io.fabric8.kubernetes.api.model.Service;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Staging in a box: what {@code values-prod.yaml} runs, on one machine. Three gateway pods of the rendered Deployment
 * (containers of the image {@code deployment/staging.sh} built, each with the rendered ConfigMap's settings), Debian's
 * HAProxy in front doing what the prod values ask of the NLB (PROXY v2 to the SMTP ports, HTTP health checks of the
 * admin port's readiness path behind a PROXY v2 header), a real Redis, and the sandbox as the API. Python's smtplib
 * sends a steady load through the balancer while one gateway is rolled (SIGTERM, its drain, a restart); the run reports
 * the targets' health before and after, what the clients saw (resets, replies other than 250), and joins every 250 with
 * what the API holds. The report is {@code target/staging/report.json}; the containers' and HAProxy's logs are next to
 * it.
 *
 * <p>What the box changes from prod, and why: host networking and loopback addresses (distinct ports a gateway, where a
 * pod has an address of its own), the API and Redis addresses, PROXY trusted from loopback, and the balancer's timing.
 * HAProxy checks every second and takes a target out after two failures, so it stops sending new connections within
 * {@value #DEREGISTRATION_SECONDS} s of a drain's start, where the NLB may take 120 s: the drain delay is rendered
 * through the chart's own rule against that deregistration delay (as the prod values set 110 s against the NLB's), and
 * the preStop sleep is the least the chart allows (the box sends SIGTERM itself, where the kubelet would after it).
 *
 * <p>Run by {@code deployment/staging.sh} (from {@code .ci/run}), which names the image in {@code -Dstaging.image};
 * skipped in the plain build.
 */
@EnabledIfSystemProperty(named = "staging.image", matches = ".+")
class StagingInABoxTest {

    private static final int GATEWAYS = 3;
    private static final int DEREGISTRATION_SECONDS = 3;
    private static final Map<String, Object> BOX_TIMING = Map.of(
            "service.smtp.deregistrationDelaySeconds",
            DEREGISTRATION_SECONDS,
            "preStopSleepSeconds",
            1,
            "gateway.drain.delaySeconds",
            2 * DEREGISTRATION_SECONDS);
    private static final String ROLLED = "gateway-2";
    private static final Pattern FORWARDED = Pattern.compile("(?m)^smtp_emails_forwarded_total(?:\\{[^}]*})? (\\S+)$");
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    final GatewayExtension fixtures = new GatewayExtension();

    @Test
    void rollingOneGatewayUnderLoadLosesNoMessageAndResetsNoConnection() throws Exception {
        Path dir = Path.of("target", "staging").toAbsolutePath();
        Files.createDirectories(dir);
        Manifests prod = HelmChart.render(List.of("values-prod.yaml"), BOX_TIMING);
        RedisServer redis = fixtures.redis();
        SandboxConfig defaults = SandboxConfig.defaults();
        CakemailSandbox sandbox = fixtures.manage(CakemailSandbox.start(
                new SandboxConfig(defaults.accounts(), defaults.tokenLifetime(), 1_000_000), "127.0.0.1", 0));
        Map<String, Path> secrets = Map.of("tls", Certificates.selfSigned(dir.resolve("tls"), "smtp.cakemail.example"));

        Map<String, Box> gateways = new LinkedHashMap<>();
        for (int i = 1; i <= GATEWAYS; i++) {
            Box box = new Box(FreePorts.next(), FreePorts.next(), FreePorts.next());
            Map<String, String> settings = Map.of(
                    "GATEWAY_BIND_ADDRESS", "127.0.0.1",
                    "GATEWAY_SMTP_PORT", String.valueOf(box.smtp),
                    "GATEWAY_SMTPS_PORT", String.valueOf(box.smtps),
                    "GATEWAY_HTTP_PORT", String.valueOf(box.http),
                    "GATEWAY_API_URL", sandbox.baseUri().toString(),
                    "GATEWAY_REDIS_URL", redis.url().toString(),
                    "GATEWAY_PROXY_TRUSTED_CIDRS", "127.0.0.0/8");
            box.pod = fixtures.manage(PodmanGateway.of(
                    "gateway-" + i, System.getProperty("staging.image"), prod, settings, secrets, dir));
            box.pod.start();
            gateways.put("gateway-" + i, box);
        }
        for (Box box : gateways.values()) {
            awaitReady(box);
        }

        int smtp = FreePorts.next();
        int smtps = FreePorts.next();
        HaproxyServer balancer = fixtures.haproxy(dir, balancer(prod, gateways, smtp, smtps));
        ObjectNode report = JSON.createObjectNode();
        report.set("targets_healthy_before", JSON.valueToTree(awaitHealthy(balancer, gateways.keySet())));

        Path stop = dir.resolve("stop");
        Files.deleteIfExists(stop);
        Path outcome = dir.resolve("clients.json");
        Process load = new ProcessBuilder(
                        "python3",
                        Path.of("staging", "load.py").toString(),
                        String.valueOf(smtp),
                        String.valueOf(smtps),
                        SandboxConfig.DEFAULT_USERNAME,
                        SandboxConfig.DEFAULT_PASSWORD,
                        "6",
                        "60",
                        "10",
                        stop.toString(),
                        outcome.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("clients.log").toFile())
                .start();
        fixtures.manage(load::destroyForcibly);
        awaitAccepted(sandbox, 300);

        report.set("roll", roll(gateways.get(ROLLED), balancer));
        awaitAccepted(sandbox, sandbox.inbox().emails().size() + 300);
        Files.writeString(stop, "");
        assertThat(load.waitFor(2, java.util.concurrent.TimeUnit.MINUTES))
                .as("the clients stopped")
                .isTrue();
        report.set("targets_healthy_after", JSON.valueToTree(awaitHealthy(balancer, gateways.keySet())));

        report.setAll(joined(JSON.readTree(outcome.toFile()), sandbox));
        report.put(
                "redis_keys_without_expiry",
                redis.keysWithTtl().values().stream().filter(ttl -> ttl < 0).count());
        Files.writeString(
                dir.resolve("report.json"),
                JSON.writerWithDefaultPrettyPrinter().writeValueAsString(report));
        System.out.println(
                "staging in a box: " + JSON.writerWithDefaultPrettyPrinter().writeValueAsString(report));

        assertThat(report.get("targets_healthy_before").size()).isEqualTo(2 * GATEWAYS);
        assertThat(report.get("targets_healthy_after").size()).isEqualTo(2 * GATEWAYS);
        assertThat(report.at("/roll/exit_code").asInt())
                .as("exit code after SIGTERM")
                .isZero();
        assertThat(report.at("/roll/forwarded_after_restart").asDouble())
                .as("the restarted gateway serves again")
                .isPositive();
        assertThat(report.get("client_failures"))
                .as("resets, closes, refusals and timeouts")
                .isEmpty();
        assertThat(report.get("replies_other_than_250").asLong()).isZero();
        assertThat(report.get("ok_250_without_submission").asLong()).isZero();
        assertThat(report.get("submissions_without_250").asLong()).isZero();
        assertThat(report.get("messages_in_sandbox").asLong())
                .isEqualTo(report.get("ok_250").asLong())
                .isPositive();
        assertThat(report.get("redis_keys_without_expiry").asLong()).isZero();
    }

    /** Where each gateway of the box listens, and its pod. */
    private static final class Box {
        final int smtp;
        final int smtps;
        final int http;
        PodmanGateway pod;

        Box(int smtp, int smtps, int http) {
            this.smtp = smtp;
            this.smtps = smtps;
            this.http = http;
        }
    }

    /**
     * HAProxy doing what the SMTP Service's annotations ask of the NLB: PROXY v2 to every target when they ask for
     * PROXY, and HTTP checks of their health check path on the admin port behind a PROXY v2 header; no retry on
     * another target when one refuses a connection, as an NLB does not retry either.
     */
    private static String[] balancer(Manifests prod, Map<String, Box> gateways, int smtp, int smtps) {
        Map<String, String> annotations = prod.all(Service.class).stream()
                .filter(service -> service.getSpec().getPorts().stream()
                        .anyMatch(port -> port.getName().equals("smtp")))
                .findFirst()
                .orElseThrow()
                .getMetadata()
                .getAnnotations();
        String prefix = "service.beta.kubernetes.io/aws-load-balancer-";
        assertThat(annotations).containsEntry(prefix + "proxy-protocol", "*");
        assertThat(annotations).containsEntry(prefix + "healthcheck-protocol", "HTTP");
        assertThat(annotations)
                .containsEntry(prefix + "healthcheck-port", prod.settings().get("GATEWAY_HTTP_PORT"));
        String path = annotations.get(prefix + "healthcheck-path");
        List<String> proxies = new ArrayList<>();
        for (String listener : List.of("smtp", "smtps")) {
            proxies.add(String.join(
                    "\n",
                    "frontend " + listener,
                    "  bind 127.0.0.1:" + (listener.equals("smtp") ? smtp : smtps),
                    "  default_backend " + listener,
                    "backend " + listener,
                    "  balance roundrobin",
                    "  retries 0",
                    "  option httpchk GET " + path,
                    "  default-server send-proxy-v2 check-send-proxy inter 1s fall 2 rise 2"));
            gateways.forEach((name, box) -> proxies.add("  server " + name + " 127.0.0.1:"
                    + (listener.equals("smtp") ? box.smtp : box.smtps) + " check port " + box.http));
        }
        return proxies.toArray(String[]::new);
    }

    /** Every target UP with its HTTP check passing, as {@code "backend/server": "UP L7OK 200"}. */
    private static Map<String, String> awaitHealthy(HaproxyServer balancer, Set<String> gateways) {
        Map<String, String> healthy = new LinkedHashMap<>();
        Await.until("every target healthy in the balancer's eyes", Duration.ofSeconds(30), () -> {
            healthy.clear();
            for (String backend : List.of("smtp", "smtps")) {
                for (String gateway : gateways) {
                    Map<String, String> row = balancer.stat(backend, gateway);
                    if (row.get("status").equals("UP") && row.get("check_code").equals("200")) {
                        healthy.put(backend + "/" + gateway, "UP " + row.get("check_status") + " 200");
                    }
                }
            }
            return healthy.size() == 2 * gateways.size();
        });
        return healthy;
    }

    /**
     * Stops {@code box}'s gateway as Kubernetes does (SIGTERM, the grace period), watching the balancer take it out;
     * starts it again and waits until the balancer sends to it and it forwards mail.
     */
    private ObjectNode roll(Box box, HaproxyServer balancer) throws Exception {
        ObjectNode roll = JSON.createObjectNode();
        long start = System.nanoTime();
        CompletableFuture<Integer> stopped = CompletableFuture.supplyAsync(() -> {
            try {
                return box.pod.stop();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Await.until(
                "the balancer taking " + ROLLED + " out",
                Duration.ofSeconds(30),
                () -> balancer.stat("smtp", ROLLED).get("status").startsWith("DOWN"));
        roll.put("seconds_to_out_of_balancer", seconds(start));
        roll.put("exit_code", stopped.get(5, java.util.concurrent.TimeUnit.MINUTES));
        roll.put("seconds_to_exit", seconds(start));
        assertThat(box.pod.logs()).contains("Draining: readiness fails now");
        long restart = System.nanoTime();
        box.pod.startAgain();
        awaitReady(box);
        Await.until(
                "the balancer sending to " + ROLLED + " again",
                Duration.ofSeconds(30),
                () -> balancer.stat("smtp", ROLLED).get("status").equals("UP"));
        roll.put("seconds_from_restart_to_in_balancer", seconds(restart));
        roll.put(
                "forwarded_after_restart",
                Await.value(
                        ROLLED + " forwarding mail again",
                        Duration.ofSeconds(30),
                        () -> forwarded(box),
                        count -> count >= 20));
        return roll;
    }

    /** What the clients saw, joined with what the API holds, recipient by recipient. */
    private static ObjectNode joined(JsonNode clients, CakemailSandbox sandbox) {
        Set<String> submitted = new HashSet<>();
        for (Inbox.Email email : sandbox.inbox().emails()) {
            submitted.add(email.recipient());
        }
        long ok = 0;
        long other = 0;
        long okWithoutSubmission = 0;
        Set<String> answered250 = new HashSet<>();
        var replies = clients.get("messages").fields();
        while (replies.hasNext()) {
            var reply = replies.next();
            if (reply.getValue().asText().startsWith("250 ")) {
                ok++;
                answered250.add(reply.getKey());
                if (!submitted.contains(reply.getKey())) {
                    okWithoutSubmission++;
                }
            } else {
                other++;
            }
        }
        ObjectNode joined = JSON.createObjectNode();
        joined.put("sessions", clients.get("sessions").asLong());
        joined.put("messages_sent", ok + other);
        joined.put("ok_250", ok);
        joined.put("replies_other_than_250", other);
        joined.set("client_failures", clients.get("failures"));
        joined.put("messages_in_sandbox", submitted.size());
        joined.put("ok_250_without_submission", okWithoutSubmission);
        joined.put(
                "submissions_without_250",
                submitted.stream()
                        .filter(recipient -> !answered250.contains(recipient))
                        .count());
        return joined;
    }

    private static void awaitReady(Box box) {
        new AdminPort(box.http).awaitReady("a gateway on " + box.http, Duration.ofMinutes(2));
    }

    private static double forwarded(Box box) throws Exception {
        Matcher sample = FORWARDED.matcher(new AdminPort(box.http).metrics());
        return sample.find() ? Double.parseDouble(sample.group(1)) : 0;
    }

    private static void awaitAccepted(CakemailSandbox sandbox, int count) {
        Await.until(
                count + " messages in the sandbox",
                Duration.ofMinutes(2),
                () -> sandbox.inbox().emails().size() >= count);
    }

    private static double seconds(long since) {
        return Math.round((System.nanoTime() - since) / 1e7) / 100.0;
    }
}
