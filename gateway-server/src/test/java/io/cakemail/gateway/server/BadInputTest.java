package io.cakemail.gateway.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.cakemail.gateway.testing.TestAuthenticator;
import io.cakemail.gateway.testkit.Await;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hostile and broken input over real sockets: each gets its precise reply or a clean close, and nothing leaks
 * (the leak extension checks after the class).
 */
class BadInputTest {

    private static final String PLAIN = Base64.getEncoder()
            .encodeToString(("\0" + TestAuthenticator.USERNAME + "\0" + TestAuthenticator.PASSWORD)
                    .getBytes(StandardCharsets.UTF_8));

    @RegisterExtension
    final Gateways gateways = new Gateways();

    private ScriptedGateway gateway;

    @ParameterizedTest
    @ValueSource(strings = {"\n.\n", "\r.\r", "\n.\r\n", "\r\n.\n", "\r\n.\r"})
    void smugglingSequencesDoNotEndTheMessage(String sequence) throws Exception {
        gateway = gateways.scripted();
        try (LineClient client = authenticated()) {
            client.send("MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.com>\r\nDATA\r\n");
            assertThat(client.reply()).isEqualTo("250 2.1.0 Sender OK");
            assertThat(client.reply()).isEqualTo("250 2.1.5 Recipient OK");
            assertThat(client.reply()).startsWith("354 ");
            client.send("Subject: first\r\n\r\nbody" + sequence
                    + "MAIL FROM:<evil@example.com>\r\nRCPT TO:<victim@example.com>\r\nDATA\r\nspoofed\r\n"
                    + ".\r\n");
            assertThat(client.reply()).startsWith("250 2.0.0 Queued");
            assertThat(client.command("NOOP")).isEqualTo("250 2.0.0 OK");
        }
        assertThat(gateway.receiver.messages()).hasSize(1);
        assertThat(gateway.receiver.messages().get(0).text()).contains("MAIL FROM:<evil@example.com>", "spoofed");
    }

    /**
     * What no mailbox can hold is refused at RCPT, not queued to a mangled address: invalid UTF-8 (which decodes to
     * U+FFFD), a bidi override, a zero-width space, a fullwidth {@code @}. A real UTF-8 address still passes.
     */
    @Test
    void addressesNoMailboxCanHoldAreRefused() throws Exception {
        gateway = gateways.scripted();
        byte[][] addresses = {
            "caf\u00e9@example.com".getBytes(StandardCharsets.ISO_8859_1), // not UTF-8
            "\u202egnp.exe@example.com".getBytes(StandardCharsets.UTF_8),
            "a\u200bb@example.com".getBytes(StandardCharsets.UTF_8),
            "alice\uff20example.com@evil.example".getBytes(StandardCharsets.UTF_8)
        };
        try (LineClient client = authenticated()) {
            assertThat(client.command("MAIL FROM:<a@example.com> SMTPUTF8")).isEqualTo("250 2.1.0 Sender OK");
            for (byte[] address : addresses) {
                client.send("RCPT TO:<".getBytes(StandardCharsets.US_ASCII));
                client.send(address);
                client.send(">\r\n".getBytes(StandardCharsets.US_ASCII));
                assertThat(client.reply())
                        .isEqualTo("553 5.1.3 Recipient address holds what no mailbox can: invalid UTF-8, or an"
                                + " invisible, direction or lookalike character");
            }
            assertThat(client.command("RCPT TO:<jos\u00e9@example.com>")).isEqualTo("250 2.1.5 Recipient OK");
        }
    }

    @Test
    void overLongLinesNulBytesAndBareLineFeedsGetPreciseReplies() throws Exception {
        gateway = gateways.scripted();
        try (LineClient client = LineClient.connect(gateway.server.smtpPort())) {
            client.reply();
            assertThat(client.command("NOOP " + "x".repeat(100_000)))
                    .isEqualTo("500 5.5.2 Line too long (maximum 2048 octets)");
            assertThat(client.command("NOOP a\0b")).isEqualTo("500 5.5.2 NUL character in command line");
            client.send("NOOP\n");
            assertThat(client.reply()).isEqualTo("500 5.5.2 Line must end with CRLF");
            assertThat(client.command("NOOP")).isEqualTo("250 2.0.0 OK");
        }
    }

    @Test
    void invalidBase64InAuthIsRefused() throws Exception {
        gateway = gateways.scripted();
        try (LineClient client = LineClient.connectTls(gateway.server.smtpsPort())) {
            client.reply();
            client.command("EHLO client.test");
            assertThat(client.command("AUTH PLAIN ***")).isEqualTo("501 5.5.2 Cannot decode base64 response");
            assertThat(client.command("AUTH LOGIN")).isEqualTo("334 VXNlcm5hbWU6");
            assertThat(client.command("dXNlcg=")).isEqualTo("501 5.5.2 Cannot decode base64 response");
            assertThat(client.command("AUTH PLAIN " + PLAIN)).isEqualTo("235 2.7.0 Authentication succeeded");
        }
    }

    @Test
    void authNeedsTlsAndMailNeedsAuth() throws Exception {
        gateway = gateways.scripted();
        try (LineClient client = LineClient.connect(gateway.server.smtpPort())) {
            client.reply();
            assertThat(client.command("EHLO client.test")).doesNotContain("AUTH");
            assertThat(client.command("AUTH PLAIN " + PLAIN))
                    .isEqualTo("538 5.7.11 Encryption required for requested authentication mechanism");
            assertThat(client.command("MAIL FROM:<a@example.com>")).isEqualTo("530 5.7.0 Authentication required");
        }
    }

    @Test
    void commandsAfterQuitAreNotAnswered() throws Exception {
        gateway = gateways.scripted();
        try (LineClient client = LineClient.connect(gateway.server.smtpPort())) {
            client.reply();
            client.send("QUIT\r\nNOOP\r\nEHLO x\r\n");
            assertThat(client.reply()).isEqualTo("221 2.0.0 Bye");
            assertThat(client.readToEnd()).isEmpty();
        }
    }

    @Test
    void startTlsTwiceIsRefused() throws Exception {
        try (LineClient client = plaintextAfterEhlo()) {
            assertThat(client.command("STARTTLS")).isEqualTo("220 2.0.0 Ready to start TLS");
            client.startTls();
            assertThat(client.command("STARTTLS")).isEqualTo("503 5.5.1 TLS already active");
            assertThat(client.command("EHLO client.test"))
                    .doesNotContain("STARTTLS")
                    .contains("AUTH PLAIN LOGIN");
        }
    }

    @Test
    void theRepliesToCommandsPipelinedBeforeStartTlsLeaveInPlaintext() throws Exception {
        try (LineClient client = plaintextAfterEhlo()) {
            client.send("NOOP\r\nSTARTTLS\r\n");
            assertThat(client.reply()).isEqualTo("250 2.0.0 OK");
            assertThat(client.reply()).isEqualTo("220 2.0.0 Ready to start TLS");
            client.startTls();
            assertThat(client.command("EHLO client.test")).contains("AUTH PLAIN LOGIN");
        }
    }

    @Test
    void commandsPipelinedAfterStartTlsAreDiscarded() throws Exception {
        try (LineClient client = plaintextAfterEhlo()) {
            client.send("STARTTLS\r\nAUTH PLAIN " + PLAIN + "\r\nMAIL FROM:<injected@example.com>\r\n");
            assertThat(client.reply()).isEqualTo("220 2.0.0 Ready to start TLS");
            client.startTls();
            assertThat(client.command("MAIL FROM:<a@example.com>")).isEqualTo("503 5.5.1 Send EHLO or HELO first");
            client.command("EHLO client.test");
            assertThat(client.command("RCPT TO:<b@example.com>")).isEqualTo("503 5.5.1 Send MAIL first");
            assertThat(client.command("MAIL FROM:<a@example.com>")).isEqualTo("530 5.7.0 Authentication required");
        }
    }

    @Test
    void aClientThatStopsMidDataIsTimedOutAndTheMessageDropped() throws Exception {
        gateway = gateways.scripted(ScriptedGateway.spec()
                .with("GATEWAY_MAX_CONNECTIONS", "100")
                .smtp(smtp -> smtp.idleTimeout(Duration.ofMillis(500))));
        try (LineClient client = authenticated()) {
            client.send("MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.com>\r\nDATA\r\n");
            client.reply();
            client.reply();
            assertThat(client.reply()).startsWith("354");
            client.send("Subject: half a message\r\n\r\nand then nothing");
            assertThat(client.reply()).isEqualTo("421 4.4.2 Idle timeout, closing connection");
            assertThat(client.readToEnd()).isEmpty();
        }
        assertThat(gateway.receiver.messages()).isEmpty();
        awaitConnections(0);
        // the limiter counts the close before the session handler aborts the message, on the connection's loop
        Await.until("the message aborted", Duration.ofSeconds(20), () -> gateway.receiver.aborted() > 0);
        assertThat(gateway.receiver.aborted()).isEqualTo(1);
    }

    @Test
    void theSessionDeadlineClosesEvenABusySession() throws Exception {
        gateway = gateways.scripted(ScriptedGateway.spec()
                .with("GATEWAY_MAX_CONNECTIONS", "100")
                .smtp(smtp -> smtp.sessionTimeout(Duration.ofMillis(700))));
        try (LineClient client = LineClient.connect(gateway.server.smtpPort())) {
            client.reply();
            long start = System.nanoTime();
            String reply;
            do {
                reply = client.command("NOOP");
            } while ("250 2.0.0 OK".equals(reply)
                    && System.nanoTime() - start < Duration.ofSeconds(10).toNanos());
            assertThat(reply).isEqualTo("421 4.4.2 Session time limit exceeded, closing connection");
        }
    }

    @Test
    void connectionsOverTheLimitAreRefused() throws Exception {
        gateway = gateways.scripted("GATEWAY_MAX_CONNECTIONS", "2");
        try (LineClient first = LineClient.connect(gateway.server.smtpPort());
                LineClient second = LineClient.connect(gateway.server.smtpPort())) {
            assertThat(first.reply()).startsWith("220 ");
            assertThat(second.reply()).startsWith("220 ");
            try (LineClient third = LineClient.connect(gateway.server.smtpPort())) {
                assertThat(third.reply()).isEqualTo("421 4.7.0 Too many connections, try again later");
                assertThat(third.readToEnd()).isEmpty();
            }
        }
    }

    /** On the implicit TLS port the refusal comes after the handshake, encrypted, as a client there expects it. */
    @Test
    void connectionsOverTheLimitOnTheImplicitTlsPortAreRefusedOverTls() throws Exception {
        gateway = gateways.scripted("GATEWAY_MAX_CONNECTIONS", "1");
        try (LineClient first = LineClient.connectTls(gateway.server.smtpsPort())) {
            assertThat(first.reply()).startsWith("220 ");
            try (LineClient second = LineClient.connectTls(gateway.server.smtpsPort())) {
                second.send("EHLO client.test\r\n");
                assertThat(second.reply()).isEqualTo("421 4.7.0 Too many connections, try again later");
                assertThat(second.readToEnd())
                        .as("the command sent meanwhile is not answered")
                        .isEmpty();
            }
        }
    }

    @Test
    void httpRequestsAreRefusedUntilTheSessionCloses() throws Exception {
        gateway = gateways.scripted();
        try (LineClient client = LineClient.connect(gateway.server.smtpPort())) {
            client.reply();
            client.send("GET / HTTP/1.1\r\nHost: x\r\nUser-Agent: a\r\nAccept: b\r\nC: d\r\nE: f\r\nG: h\r\nI: j\r\n"
                    + "K: l\r\nM: n\r\n\r\n");
            String rest = client.readToEnd();
            assertThat(rest)
                    .contains("500 5.5.2 Command unrecognized")
                    .endsWith("421 4.7.0 Too many errors, closing connection\n");
        }
    }

    @Test
    void tenThousandIdleConnectionsOpenAndClose() throws Exception {
        gateway = gateways.scripted("GATEWAY_MAX_CONNECTIONS", "12000");
        ExternalClient.Result result = ExternalClient.python(
                String.join(
                        "\n",
                        "import asyncio, sys",
                        "port, count = int(sys.argv[1]), int(sys.argv[2])",
                        "async def one(sem):",
                        "    async with sem:",
                        "        r, w = await asyncio.open_connection('127.0.0.1', port)",
                        "        greeting = await r.readline()",
                        "        assert greeting.startswith(b'220 '), greeting",
                        "        return w",
                        "async def main():",
                        "    sem = asyncio.Semaphore(500)",
                        "    writers = await asyncio.gather(*(one(sem) for _ in range(count)))",
                        "    print('open', len(writers), flush=True)",
                        "    r, w = await asyncio.open_connection('127.0.0.1', port)",
                        "    await r.readline()",
                        "    w.write(b'NOOP\\r\\n')",
                        "    print('still serving', (await r.readline()).decode().strip(), flush=True)",
                        "    for w2 in writers + [w]:",
                        "        w2.close()",
                        "asyncio.run(main())"),
                String.valueOf(gateway.server.smtpPort()),
                "10000");
        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).contains("open 10000", "still serving 250 2.0.0 OK");
        awaitConnections(0);
    }

    private LineClient authenticated() throws IOException {
        LineClient client = LineClient.connectTls(gateway.server.smtpsPort());
        client.reply();
        client.command("EHLO client.test");
        assertThat(client.command("AUTH PLAIN " + PLAIN)).isEqualTo("235 2.7.0 Authentication succeeded");
        return client;
    }

    private void awaitConnections(int expected) {
        Await.until(expected + " connections", Duration.ofSeconds(20), () -> gateway.server.connections() == expected);
    }

    /** A session on the plaintext (STARTTLS) listener, past the greeting and EHLO. */
    private LineClient plaintextAfterEhlo() throws Exception {
        gateway = gateways.scripted();
        LineClient client = LineClient.connect(gateway.server.smtpPort());
        client.reply();
        client.command("EHLO client.test");
        return client;
    }
}
