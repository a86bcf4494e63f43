package io.cakemail.gateway.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.cakemail.gateway.server.listen.GatewayServer;
import io.cakemail.gateway.testing.RecordingReceiver;
import io.cakemail.gateway.testing.TestAuthenticator;
import io.cakemail.gateway.testkit.Await;
import io.cakemail.gateway.testkit.FreePorts;
import io.cakemail.gateway.testkit.HaproxyServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real HAProxy (Debian's, which {@code .ci/run} installs) in front of the gateway on loopback, sending PROXY v1
 * ({@code send-proxy}) to the STARTTLS listener and v2 ({@code send-proxy-v2}, with v2 health checks, which are
 * {@code LOCAL} headers) to both; Python's smtplib connects from 127.0.0.2, and each session sees that address
 * although its socket's peer is HAProxy on 127.0.0.1. And HAProxy health-checks the admin port as a cloud balancer
 * with PROXY on its targets does: an HTTP check behind a PROXY v2 header, passing while the gateway serves and
 * failing from the start of its drain.
 */
class HaproxyTest {

    @RegisterExtension
    final Gateways gateways = new Gateways();

    @Test
    void smtplibThroughHaproxyReachesTheSessionWithItsOwnAddress(@TempDir Path dir) throws Exception {
        int v1 = FreePorts.next();
        int v2 = FreePorts.next();
        int v2Tls = FreePorts.next();
        ScriptedGateway gateway = gateways.scripted(ScriptedGateway.spec()
                .immediate()
                .with("GATEWAY_PROXY_PROTOCOL", "on")
                .with("GATEWAY_PROXY_TRUSTED_CIDRS", "127.0.0.1/32"));
        SimpleMeterRegistry registry = gateway.registry;
        RecordingReceiver receiver = gateway.receiver;
        try (gateway) { // every session ends before the counts are read
            GatewayServer server = gateway.server;
            HaproxyServer haproxy = gateways.haproxy(
                    dir,
                    frontend("v1", v1, server.smtpPort(), "send-proxy"),
                    frontend("v2", v2, server.smtpPort(), "send-proxy-v2 check inter 200ms check-send-proxy"),
                    frontend("v2tls", v2Tls, server.smtpsPort(), "send-proxy-v2"));
            awaitListening(v1, v2, v2Tls);
            ExternalClient.Result sent = ExternalClient.python(
                    String.join(
                            "\n",
                            "import smtplib, ssl, sys",
                            "context = ssl._create_unverified_context()",
                            "for port, implicit in ((sys.argv[1], False), (sys.argv[2], False), (sys.argv[3], True)):",
                            "    if implicit:",
                            "        s = smtplib.SMTP_SSL('127.0.0.1', int(port), source_address=('127.0.0.2', 0),",
                            "                             context=context, timeout=30)",
                            "    else:",
                            "        s = smtplib.SMTP('127.0.0.1', int(port), source_address=('127.0.0.2', 0), timeout=30)",
                            "        s.starttls(context=context)",
                            "    s.login(sys.argv[4], sys.argv[5])",
                            "    s.sendmail('a@example.com', ['b@example.com'], 'Subject: via ' + port + '\\r\\n\\r\\nHi\\r\\n')",
                            "    s.quit()"),
                    String.valueOf(v1),
                    String.valueOf(v2),
                    String.valueOf(v2Tls),
                    TestAuthenticator.ASCII_USERNAME, // smtplib's AUTH PLAIN takes ASCII only
                    TestAuthenticator.ASCII_PASSWORD);
            assertThat(sent.exitCode()).as(sent.output() + haproxy.log()).isZero();
        }
        assertThat(receiver.messages())
                .hasSize(3)
                .allSatisfy(message -> assertThat(
                                ((InetSocketAddress) message.envelope().clientAddress()).getAddress())
                        .isEqualTo(InetAddress.getByName("127.0.0.2")));
        for (String reason : List.of("untrusted", "invalid", "timeout")) {
            assertThat(registry.get("smtp.proxy.rejected")
                            .tag("reason", reason)
                            .counter()
                            .count())
                    .as("health checks and sessions alike are accepted")
                    .isZero();
        }
    }

    /**
     * What a cloud balancer with PROXY on its targets does to health checks, done by HAProxy: an HTTP check of
     * {@code /health/ready} on the admin port behind a PROXY v2 header ({@code check-send-proxy}). The gateway is UP in
     * HAProxy's eyes, then DOWN as soon as its drain starts, while its SMTP listener still accepts for the drain delay.
     */
    @Test
    void theBalancersHealthCheckThroughProxySeesTheGatewayUpThenItsDrain(@TempDir Path dir) throws Exception {
        InProcessGateway gateway = gateways.inProcess(
                "GATEWAY_PROXY_PROTOCOL", "on",
                "GATEWAY_PROXY_TRUSTED_CIDRS", "127.0.0.1/32",
                "GATEWAY_DRAIN_DELAY", "5s");
        int smtp = FreePorts.next();
        HaproxyServer haproxy = gateways.haproxy(
                dir,
                String.join(
                        "\n",
                        "frontend smtp",
                        "  bind 127.0.0.1:" + smtp,
                        "  default_backend smtp",
                        "backend smtp",
                        "  option httpchk GET /health/ready",
                        "  server gateway 127.0.0.1:" + gateway.gateway.server().smtpPort()
                                + " send-proxy-v2 check-send-proxy check port " + gateway.gateway.httpPort()
                                + " inter 200ms fall 1 rise 1"));
        awaitListening(smtp);
        Await.until("HAProxy's HTTP health check passing (L7OK, 200)", Duration.ofSeconds(10), () -> {
            Map<String, String> row = haproxy.stat("smtp", "gateway");
            return row.get("check_status").equals("L7OK")
                    && row.get("check_code").equals("200");
        });
        assertThat(haproxy.stat("smtp", "gateway").get("status")).isEqualTo("UP");

        java.util.concurrent.CompletableFuture.runAsync(gateway::close);
        Await.until(
                "HAProxy's health check sees the drain",
                Duration.ofSeconds(3),
                () -> haproxy.stat("smtp", "gateway").get("status").equals("DOWN"));
        assertThat(haproxy.stat("smtp", "gateway").get("check_code"))
                .as("readiness failing")
                .isEqualTo("503");
        try (LineClient client = LineClient.connect(gateway.gateway.server().smtpPort())) {
            client.send("PROXY TCP4 203.0.113.7 127.0.0.1 40000 2587\r\n"); // as the balancer would, had it not left
            assertThat(client.reply())
                    .as("still accepting during the drain delay")
                    .startsWith("220 ");
        }
    }

    private static String frontend(String name, int port, int gatewayPort, String serverOptions) {
        return String.join(
                "\n",
                "frontend " + name,
                "  bind 127.0.0.1:" + port,
                "  default_backend " + name,
                "backend " + name,
                "  server gateway 127.0.0.1:" + gatewayPort + " " + serverOptions);
    }

    private static void awaitListening(int... ports) {
        for (int port : ports) {
            Await.listening("HAProxy", port, Duration.ofSeconds(10));
        }
    }
}
