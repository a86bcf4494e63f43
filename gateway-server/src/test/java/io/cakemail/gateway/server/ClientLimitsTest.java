package io.cakemail.gateway.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.cakemail.gateway.server.listen.GatewayServer;
import io.cakemail.gateway.testing.TestAuthenticator;
import io.cakemail.gateway.testkit.Await;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The per-client limits over real sockets, with loopback not exempt: connections per address (and per IPv6 prefix,
 * through PROXY headers), messages per minute per address and per login, and failed logins that block an address.
 */
class ClientLimitsTest {

    @RegisterExtension
    final Gateways gateways = new Gateways();

    private SimpleMeterRegistry registry;
    private GatewayServer server;

    private void start(String... settings) throws Exception {
        ScriptedGateway.Spec spec =
                ScriptedGateway.spec().immediate().with("GATEWAY_LIMITS_EXEMPT_CIDRS", "192.0.2.0/24");
        for (int i = 0; i < settings.length; i += 2) {
            spec.with(settings[i], settings[i + 1]);
        }
        ScriptedGateway gateway = gateways.scripted(spec);
        server = gateway.server;
        registry = gateway.registry;
    }

    @Test
    void anAddressMayHoldSoManyConnections() throws Exception {
        start("GATEWAY_LIMIT_CONNECTIONS_PER_CLIENT", "2");
        try (LineClient first = LineClient.connect(server.smtpPort());
                LineClient second = LineClient.connect(server.smtpPort())) {
            assertThat(first.reply()).startsWith("220 ");
            assertThat(second.reply()).startsWith("220 ");
            try (LineClient third = LineClient.connect(server.smtpPort())) {
                assertThat(third.reply())
                        .isEqualTo("421 4.7.0 Too many connections from your address, try again later");
                assertThat(third.readToEnd()).isEmpty();
            }
            first.command("QUIT");
            first.readToEnd();
        }
        Await.until( // the server sees the closes a moment after the client
                "the connections closed", Duration.ofSeconds(5), () -> server.connections() == 0);
        try (LineClient again = LineClient.connect(server.smtpPort())) {
            assertThat(again.reply()).as("a connection closed makes room").startsWith("220 ");
        }
        assertThat(refused("client_connections")).isEqualTo(1);
    }

    @Test
    void ipv6ClientsCountPerPrefix() throws Exception {
        start(
                "GATEWAY_LIMIT_CONNECTIONS_PER_CLIENT", "1",
                "GATEWAY_PROXY_PROTOCOL", "on",
                "GATEWAY_PROXY_TRUSTED_CIDRS", "127.0.0.1/32");
        try (Socket first = proxied("2001:db8:1:2::1")) {
            assertThat(line(first)).startsWith("220 "); // in before the next: connections race otherwise
            try (Socket samePrefix = proxied("2001:db8:1:2:ffff::9");
                    Socket otherPrefix = proxied("2001:db8:1:3::1")) {
                assertThat(line(samePrefix)).startsWith("421 4.7.0 Too many connections from your address");
                assertThat(line(otherPrefix)).startsWith("220 ");
            }
        }
    }

    @Test
    void anAddressMayStartSoManyMessagesAMinute() throws Exception {
        start("GATEWAY_LIMIT_MESSAGES_PER_MINUTE", "3");
        try (LineClient client = authenticated()) {
            for (int i = 0; i < 3; i++) {
                assertThat(client.command("MAIL FROM:<a@example.com>")).startsWith("250 ");
                assertThat(client.command("RSET")).startsWith("250 ");
            }
            assertThat(client.command("MAIL FROM:<a@example.com>"))
                    .isEqualTo("450 4.7.1 Too many messages from your address, try again in a minute");
        }
        try (LineClient other = authenticated()) {
            assertThat(other.command("MAIL FROM:<a@example.com>"))
                    .as("the address's other connections share its limit")
                    .startsWith("450 4.7.1");
        }
        assertThat(refused("client_messages")).isEqualTo(2);
    }

    @Test
    void aLoginMayStartSoManyMessagesAMinute() throws Exception {
        start("GATEWAY_LIMIT_LOGIN_MESSAGES_PER_MINUTE", "2");
        try (LineClient client = authenticated()) {
            assertThat(client.command("MAIL FROM:<a@example.com>")).startsWith("250 ");
            assertThat(client.command("RSET")).startsWith("250 ");
            assertThat(client.command("MAIL FROM:<a@example.com>")).startsWith("250 ");
            assertThat(client.command("RSET")).startsWith("250 ");
            assertThat(client.command("MAIL FROM:<a@example.com>"))
                    .isEqualTo("450 4.7.1 Too many messages for this login, try again in a minute");
        }
        assertThat(refused("login_messages")).isEqualTo(1);
    }

    /**
     * A login is one identity however its case is written, and its limit holds wherever it connects from: loopback,
     * exempt from the per-address limits here, is not exempt from the login's.
     */
    @Test
    void aLoginsLimitHoldsForEverySpellingAndFromExemptAddresses() throws Exception {
        InProcessGateway harness = gateways.inProcess("GATEWAY_LIMIT_LOGIN_MESSAGES_PER_MINUTE", "2");
        try (LineClient upper = LineClient.authenticated(
                        harness.gateway.server().smtpsPort(),
                        InProcessGateway.USER.toUpperCase(java.util.Locale.ROOT),
                        InProcessGateway.PASSWORD);
                LineClient lower = harness.authenticatedClient()) {
            assertThat(upper.command("MAIL FROM:<sandbox@example.com>")).startsWith("250 ");
            assertThat(upper.command("RSET")).startsWith("250 ");
            assertThat(lower.command("MAIL FROM:<sandbox@example.com>")).startsWith("250 ");
            assertThat(lower.command("RSET")).startsWith("250 ");
            assertThat(upper.command("MAIL FROM:<sandbox@example.com>"))
                    .isEqualTo("450 4.7.1 Too many messages for this login, try again in a minute");
            assertThat(harness.sandbox.calls("POST /token"))
                    .as("one login, one token")
                    .isEqualTo(1);
        }
    }

    @Test
    void failedLoginsBlockTheAddressOnEveryConnection() throws Exception {
        start("GATEWAY_LIMIT_AUTH_FAILURES", "2");
        try (LineClient bystander = LineClient.connectTls(server.smtpsPort());
                LineClient guesser = LineClient.connectTls(server.smtpsPort())) {
            bystander.reply();
            bystander.command("EHLO client.test");
            guesser.reply();
            guesser.command("EHLO client.test");
            assertThat(guesser.command("AUTH PLAIN " + InProcessGateway.plain(TestAuthenticator.USERNAME, "guess1")))
                    .startsWith("535 5.7.8");
            assertThat(guesser.command("AUTH PLAIN " + InProcessGateway.plain(TestAuthenticator.USERNAME, "guess2")))
                    .isEqualTo("421 4.7.1 Too many failed logins from your address, try again later");
            assertThat(guesser.readToEnd()).isEmpty();
            assertThat(bystander.command("AUTH PLAIN "
                            + InProcessGateway.plain(TestAuthenticator.USERNAME, TestAuthenticator.PASSWORD)))
                    .as("even the right password, from the blocked address")
                    .isEqualTo("535 5.7.8 Too many failed logins from your address, try again later");
        }
        try (LineClient later = LineClient.connectTls(server.smtpsPort())) {
            assertThat(later.reply()).isEqualTo("421 4.7.1 Too many failed logins from your address, try again later");
        }
        assertThat(registry.get("smtp.limits.blocks").counter().count()).isEqualTo(1);
        assertThat(registry.get("smtp.limits.blocked.clients").gauge().value()).isEqualTo(1);
        assertThat(refused("blocked")).isEqualTo(2);
    }

    @Test
    void exemptAddressesAreNeverLimited() throws Exception {
        start("GATEWAY_LIMIT_CONNECTIONS_PER_CLIENT", "1", "GATEWAY_LIMITS_EXEMPT_CIDRS", "127.0.0.0/8,::1/128");
        try (LineClient first = LineClient.connect(server.smtpPort());
                LineClient second = LineClient.connect(server.smtpPort())) {
            assertThat(first.reply()).startsWith("220 ");
            assertThat(second.reply()).startsWith("220 ");
        }
    }

    private double refused(String limit) {
        return registry.get("smtp.limits.refused").tag("limit", limit).counter().count();
    }

    private LineClient authenticated() throws IOException {
        return LineClient.authenticated(server.smtpsPort(), TestAuthenticator.USERNAME, TestAuthenticator.PASSWORD);
    }

    /** A connection whose PROXY v1 header says it comes from {@code address}. */
    private Socket proxied(String address) throws IOException {
        Socket socket = new Socket("127.0.0.1", server.smtpPort());
        socket.setSoTimeout(10_000);
        OutputStream out = socket.getOutputStream();
        out.write(("PROXY TCP6 " + address + " 2001:db8::1 40000 2587\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return socket;
    }

    private static String line(Socket socket) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int b; (b = socket.getInputStream().read()) != -1 && b != '\n'; ) {
            if (b != '\r') {
                line.append((char) b);
            }
        }
        return line.toString();
    }
}
