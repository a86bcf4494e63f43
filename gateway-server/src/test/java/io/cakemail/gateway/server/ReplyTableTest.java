package io.cakemail.gateway.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.cakemail.sandbox.Fault;
import io.cakemail.sandbox.Inbox;
import io.cakemail.sandbox.SandboxConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every row of the design's reply table, and the authentication replies, driven through the sandbox's faults over
 * a real TLS session.
 */
class ReplyTableTest {

    @RegisterExtension
    final Gateways gateways = new Gateways();

    private static final String MESSAGE =
            "From: Sandbox <sandbox@example.com>\r\nSubject: Row\r\n" + "Message-ID: <row-%s@test>\r\n\r\nBody\r\n";

    private InProcessGateway harness;

    @AfterEach
    void checkTheContract() throws Exception {
        if (harness != null) {
            harness.assertContract();
        }
    }

    @Test
    void allQueuedIs250WithTheIds() throws Exception {
        start();
        try (LineClient client = harness.authenticatedClient()) {
            assertThat(InProcessGateway.send(
                            client, "sandbox@example.com", message("all"), "a@example.net", "b@example.net"))
                    .matches("250 2\\.0\\.0 Ok: queued as [0-9a-f-]{36} [0-9a-f-]{36}");
        }
    }

    @Test
    void somePermanentlyRefusedIs250NamingThemAndDeadLettered() throws Exception {
        start();
        harness.sandbox
                .faults()
                .add(Fault.status("/v2/emails", 400)
                        .forRecipients("^refused@")
                        .withBody("{\"detail\":[{\"msg\":\"Contact is suppressed\"," + "\"type\":\"bad_request\"}]}"));
        try (LineClient client = harness.authenticatedClient()) {
            assertThat(InProcessGateway.send(
                            client, "sandbox@example.com", message("some"), "ok@example.net", "refused@example.net"))
                    .matches("250-2\\.0\\.0 Ok: queued as [0-9a-f-]{36}\n"
                            + "250 2\\.0\\.0 Not queued for 1 of 2 recipients: refused@example.net"
                            + " \\(Contact is suppressed\\)");
        }
        assertThat(harness.counter("gateway.dead.letters")).isEqualTo(1);
        assertThat(harness.counter("gateway.recipients", "outcome", "refused")).isEqualTo(1);
    }

    @Test
    void allPermanentlyRefusedIs5xxWithTheApiReason() throws Exception {
        start();
        harness.sandbox
                .faults()
                .add(Fault.status("/v2/emails", 422)
                        .withBody(
                                "{\"detail\":[{\"loc\":[\"body\",\"email\"],\"msg\":\"value is not a valid email address\","
                                        + "\"type\":\"value_error.email\"}]}")
                        .times(1));
        harness.sandbox.faults().add(Fault.emailStatus("rejected").times(1));
        try (LineClient client = harness.authenticatedClient()) {
            assertThat(InProcessGateway.send(client, "sandbox@example.com", message("invalid"), "x@example.net"))
                    .isEqualTo("554 5.6.0 Refused by the Cakemail API: x@example.net: email: value is not a valid"
                            + " email address");
            assertThat(InProcessGateway.send(client, "sandbox@example.com", message("rejected"), "y@example.net"))
                    .isEqualTo("550 5.7.1 Refused by the Cakemail API: y@example.net: the Cakemail API answered"
                            + " status 'rejected'");
        }
    }

    @Test
    void aTransientFailureIs451AndTheRetryDoesNotResend() throws Exception {
        start("GATEWAY_API_DEADLINE", "1s");
        harness.sandbox.faults().add(Fault.status("/v2/emails", 503).forRecipients("^later@"));
        try (LineClient client = harness.authenticatedClient()) {
            assertThat(InProcessGateway.send(
                            client, "sandbox@example.com", message("retry"), "now@example.net", "later@example.net"))
                    .startsWith("451 4.3.0 Cakemail API answered 503")
                    .endsWith("; 1 recipient(s) already accepted will not be sent again on retry");
            harness.sandbox.faults().clear();
            assertThat(InProcessGateway.send(
                            client, "sandbox@example.com", message("retry"), "now@example.net", "later@example.net"))
                    .startsWith("250 2.0.0 Ok: queued as ");
        }
        assertThat(harness.sandbox.inbox().emails())
                .extracting(Inbox.Email::recipient)
                .containsExactlyInAnyOrder("now@example.net", "later@example.net");
    }

    /**
     * A connection cut after the request was written: the API may have the message. The reply says so, nothing is
     * tried again at once, and the retry asks the API's log: the API took it, so it is not sent again.
     */
    @Test
    void aSubmissionInDoubtIs451SayingSoAndItsRetryAsksTheApiFirst() throws Exception {
        start("GATEWAY_DOUBT_CHECK_AFTER", "0s");
        harness.sandbox
                .faults()
                .add(Fault.reset("/v2/emails")
                        .forRecipients("^doubt@")
                        .delayed(300)
                        .afterTaking()
                        .times(1));
        try (LineClient client = harness.authenticatedClient()) {
            assertThat(InProcessGateway.send(
                            client, "sandbox@example.com", message("doubt"), "sure@example.net", "doubt@example.net"))
                    .isEqualTo("451 4.3.0 the connection to the Cakemail API was lost before its answer; 1"
                            + " recipient(s) already accepted will not be sent again on retry; 1 recipient(s) in"
                            + " doubt, the API may have it: the retry asks the API before sending again");
            assertThat(InProcessGateway.send(
                            client, "sandbox@example.com", message("doubt"), "sure@example.net", "doubt@example.net"))
                    .startsWith("250 2.0.0 Ok: queued as ");
        }
        assertThat(harness.sandbox.inbox().emails())
                .extracting(Inbox.Email::recipient)
                .containsExactlyInAnyOrder("sure@example.net", "doubt@example.net");
        assertThat(harness.counter("gateway.recipients", "outcome", "in_doubt")).isEqualTo(1);
    }

    @Test
    void aTokenRefusedAfterRenewalIs451With470() throws Exception {
        start();
        harness.sandbox.faults().add(Fault.status("/v2/emails", 401));
        try (LineClient client = harness.authenticatedClient()) {
            assertThat(InProcessGateway.send(client, "sandbox@example.com", message("token"), "t@example.net"))
                    .isEqualTo("451 4.7.0 the Cakemail API refused a freshly renewed access token");
        }
    }

    @Test
    void anOpenCircuitAnswers451AtOnce() throws Exception {
        start(
                "GATEWAY_BREAKER_WINDOW",
                "4",
                "GATEWAY_BREAKER_MINIMUM_CALLS",
                "4",
                "GATEWAY_BREAKER_OPEN_DURATION",
                "30s",
                "GATEWAY_API_DEADLINE",
                "2s");
        harness.sandbox.faults().add(Fault.status("/v2/emails", 500));
        try (LineClient client = harness.authenticatedClient()) {
            assertThat(InProcessGateway.send(
                            client,
                            "sandbox@example.com",
                            message("c1"),
                            "c1@example.net",
                            "c2@example.net",
                            "c3@example.net",
                            "c4@example.net"))
                    .startsWith("451 4.3.0 ");
            int calls = harness.sandbox.calls("POST /v2/emails");
            assertThat(InProcessGateway.send(client, "sandbox@example.com", message("c2"), "c@example.net"))
                    .isEqualTo("451 4.3.0 Cakemail API unavailable (circuit open), try again later");
            assertThat(harness.sandbox.calls("POST /v2/emails"))
                    .as("answered without asking the API")
                    .isEqualTo(calls);
        }
    }

    @Test
    void anUnconfirmedOrUnknownSenderIs550() throws Exception {
        start();
        try (LineClient client = harness.authenticatedClient()) {
            assertThat(InProcessGateway.send(
                            client,
                            "pending@example.com",
                            "From: pending@example.com\r\nSubject: x\r\n\r\nx\r\n",
                            "a@example.net"))
                    .isEqualTo("550 5.7.1 Sender pending@example.com is not confirmed yet of this Cakemail account;"
                            + " confirm it, or set X-Sender-Id");
            assertThat(InProcessGateway.send(
                            client,
                            "stranger@example.org",
                            "From: stranger@example.org\r\nSubject: x\r\n\r\nx\r\n",
                            "a@example.net"))
                    .startsWith("550 5.7.1 Sender stranger@example.org is not a sender of this Cakemail account");
        }
        assertThat(harness.sandbox.submissions()).isEmpty();
    }

    /** A password changed since the session logged in is a permanent problem, not a reason to try again later. */
    @Test
    void aPasswordTheApiNoLongerAcceptsRefusesTheMessageForGood() throws Exception {
        start();
        try (LineClient client = harness.authenticatedClient()) {
            harness.sandbox.revokeTokens();
            harness.sandbox.faults().add(Fault.status("/token", 401));
            assertThat(InProcessGateway.send(client, "sandbox@example.com", message("password"), "p@example.net"))
                    .isEqualTo("554 5.7.8 Refused by the Cakemail API: the Cakemail API no longer accepts this"
                            + " login's credentials (Authentication credentials invalid); log in with the current"
                            + " password");
        }
        assertThat(harness.sandbox.submissions()).isEmpty();
    }

    /** A 201 stored the message, whatever new status it carries: the client hears 250, and nothing is sent twice. */
    @Test
    void aCreatedSubmissionWithAStatusTheGatewayDoesNotKnowIs250() throws Exception {
        start();
        harness.sandbox.faults().add(Fault.emailStatus("scheduled"));
        try (LineClient client = harness.authenticatedClient()) {
            assertThat(InProcessGateway.send(client, "sandbox@example.com", message("scheduled"), "s@example.net"))
                    .matches("250 2\\.0\\.0 Ok: queued as [0-9a-f-]{36}");
        }
        assertThat(harness.counter("smtp.api.unknown.status")).isEqualTo(1);
    }

    /**
     * Other providers' headers are never silently ignored: a test send is checked and not submitted, a send scheduled
     * for later is refused naming its header.
     */
    @Test
    void providersTestAndSchedulingHeadersAreHonouredOrRefused() throws Exception {
        start();
        try (LineClient client = harness.authenticatedClient()) {
            assertThat(InProcessGateway.send(
                            client,
                            "sandbox@example.com",
                            "From: sandbox@example.com\r\nSubject: Drop\r\nX-Mailgun-Drop-Message: yes\r\n\r\nTest\r\n",
                            "d@example.net"))
                    .isEqualTo("250 2.0.0 Ok: not sent, as X-Mailgun-Drop-Message asks; the message was checked as if"
                            + " sent");
            assertThat(InProcessGateway.send(
                            client,
                            "nobody@example.com",
                            "From: nobody@example.com\r\nSubject: Drop\r\nX-Sib-Sandbox: drop\r\n\r\nTest\r\n",
                            "d@example.net"))
                    .as("checked as a real send is: an unknown sender is refused")
                    .startsWith("550 5.7.1 Sender nobody@example.com is not a sender");
            assertThat(InProcessGateway.send(
                            client,
                            "sandbox@example.com",
                            "From: sandbox@example.com\r\nSubject: Later\r\nX-MC-SendAt: 2026-12-24 08:00:00\r\n\r\n"
                                    + "Later\r\n",
                            "d@example.net"))
                    .isEqualTo("554 5.6.0 X-MC-SendAt asks for a send at a later time, which the Cakemail API cannot"
                            + " schedule: send the message when it is to go out");
        }
        assertThat(harness.sandbox.submissions()).isEmpty();
    }

    @Test
    void authenticationRepliesFollowTheApi() throws Exception {
        start();
        try (LineClient client = LineClient.connectTls(harness.gateway.server().smtpsPort())) {
            client.reply();
            client.command("EHLO client.test");
            assertThat(client.command("AUTH PLAIN " + InProcessGateway.plain(InProcessGateway.USER, "wrong")))
                    .isEqualTo("535 5.7.8 Authentication credentials invalid");
            assertThat(client.command(
                            "AUTH PLAIN " + InProcessGateway.plain("mfa@example.com", SandboxConfig.DEFAULT_PASSWORD)))
                    .as("a right password of an MFA account answers as a wrong one: no oracle")
                    .isEqualTo("535 5.7.8 Authentication credentials invalid");
            harness.sandbox.faults().add(Fault.status("/token", 503).times(1));
            assertThat(client.command("AUTH PLAIN " + InProcessGateway.plain("other@example.com", "x")))
                    .isEqualTo("454 4.7.0 Cakemail API unavailable for authentication, try again later");
        }
    }

    private void start(String... settings) throws Exception {
        String[] all = java.util.Arrays.copyOf(settings, settings.length + 4);
        System.arraycopy(
                new String[] {"GATEWAY_API_BACKOFF", "20ms", "GATEWAY_API_BACKOFF_MAX", "100ms"},
                0,
                all,
                settings.length,
                4);
        harness = gateways.inProcess(all);
    }

    private static String message(String id) {
        return String.format(MESSAGE, id);
    }
}
