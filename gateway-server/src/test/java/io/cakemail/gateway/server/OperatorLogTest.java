package io.cakemail.gateway.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.cakemail.gateway.testkit.Await;
import io.cakemail.sandbox.CakemailSandbox;
import io.cakemail.sandbox.Fault;
import java.io.IOException;
import java.time.Duration;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AsyncAppender;
import org.apache.logging.log4j.core.config.ConfigurationSource;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.xml.XmlConfiguration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What the operator's log says when things fail, with the production logging configuration, from a gateway in its
 * own process: failed logins with the client's address (one line each, the shape fail2ban matches), the API failing
 * and the circuit breaker opening and closing, an outage's repeated failures rate-limited.
 */
class OperatorLogTest {

    @RegisterExtension
    final Gateways gateways = new Gateways();

    private static final long API_LINES_ALLOWED = 40; // the burst (20) and two a second for the rest of the test

    private CakemailSandbox sandbox;
    private ForkedGateway gateway;

    @BeforeEach
    void start() throws Exception {
        sandbox = gateways.sandbox();
        gateway = gateways.forked(
                sandbox,
                "GATEWAY_API_DEADLINE",
                "10s",
                "GATEWAY_DRAIN_TIMEOUT",
                "10s",
                "GATEWAY_BREAKER_OPEN_DURATION",
                "2s");
    }

    @Test
    void aFailedLoginIsOneLineWithTheClientAddress() throws Exception {
        try (LineClient client = LineClient.connectTls(gateway.smtpsPort)) {
            client.reply();
            client.command("EHLO client.test");
            assertThat(client.command("AUTH PLAIN " + InProcessGateway.plain("sandbox@example.com", "wrong\"\r\nx")))
                    .startsWith("535 5.7.8");
        }
        awaitOutput("Authentication failed: "); // written by the asynchronous appender
        assertThat(gateway.output())
                .containsPattern(
                        "WARN .* \\[\\w+\\] Authentication failed: client=127\\.0\\.0\\.1 user=\"sandbox@example\\.com\"")
                .doesNotContain("wrong");
    }

    @Test
    void theApiFailingIsLoggedRateLimitedAndTheBreakerSaysWhenItOpensAndCloses() throws Exception {
        sandbox.faults().add(Fault.status("/v2/emails", 500).forRecipients("^down"));
        String[] recipients = new String[100];
        for (int i = 0; i < recipients.length; i++) {
            recipients[i] = "down" + i + "@example.net";
        }
        try (LineClient client = authenticated()) {
            assertThat(InProcessGateway.send(client, "sandbox@example.com", "Subject: Outage\r\n\r\nHello", recipients))
                    .startsWith("451 4.3.0");
        }
        awaitOutput("Circuit breaker open");
        sandbox.faults().clear();
        Await.value(
                "a message through once the breaker tries the API again",
                Duration.ofSeconds(20),
                Duration.ofMillis(500),
                () -> {
                    try (LineClient client = authenticated()) {
                        return InProcessGateway.send(
                                client,
                                "sandbox@example.com",
                                "Subject: Back\r\n\r\nHello",
                                "a@example.net",
                                "b@example.net",
                                "c@example.net");
                    }
                },
                reply -> reply.startsWith("250 2.0.0"));
        awaitOutput("Circuit breaker HALF_OPEN -> CLOSED");
        String output = gateway.output();
        long apiLines = output.lines()
                .filter(line -> line.contains("The Cakemail API answered 500"))
                .count();
        assertThat(apiLines)
                .as("300 tries answered 500, logged rate-limited")
                .isPositive()
                .isLessThanOrEqualTo(API_LINES_ALLOWED);
    }

    @Test
    void anUnreachableApiIsLogged() throws Exception {
        try (LineClient client = authenticated()) {
            sandbox.close();
            assertThat(InProcessGateway.send(
                            client, "sandbox@example.com", "Subject: Away\r\n\r\nHello", "a@example.net"))
                    .isEqualTo("451 4.3.0 Cakemail API unreachable, try again later");
        }
        awaitOutput("Cakemail API unreachable listing senders: ");
        sandbox = gateways.sandbox();
    }

    /** Dead letters go to an appender of their own that writes at once, instead of dropping, when its queue is full. */
    @Test
    void deadLettersAreNeverDropped() throws Exception {
        try (var in = OperatorLogTest.class.getResourceAsStream("/log4j2.xml")) {
            LoggerContext context = new LoggerContext("production");
            XmlConfiguration configuration = new XmlConfiguration(context, new ConfigurationSource(in));
            configuration.initialize();
            LoggerConfig deadLetters = configuration.getLoggerConfig("io.cakemail.gateway.dead-letter");
            assertThat(deadLetters.getName()).isEqualTo("io.cakemail.gateway.dead-letter");
            assertThat(deadLetters.isAdditive()).isFalse();
            assertThat(deadLetters.getAppenders().values())
                    .singleElement()
                    .isInstanceOfSatisfying(
                            AsyncAppender.class,
                            async -> assertThat(async.getErrorRef()).isEqualTo("console"));
        }
    }

    private LineClient authenticated() throws IOException {
        return LineClient.authenticated(gateway.smtpsPort, InProcessGateway.USER, InProcessGateway.PASSWORD);
    }

    private void awaitOutput(String text) {
        Await.until(
                "the log line " + text,
                Duration.ofSeconds(10),
                () -> gateway.output().contains(text));
    }
}
