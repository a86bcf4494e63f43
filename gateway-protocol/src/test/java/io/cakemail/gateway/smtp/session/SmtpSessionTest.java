package io.cakemail.gateway.smtp.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.cakemail.gateway.smtp.BareLineEndingPolicy;
import io.cakemail.gateway.smtp.Envelope;
import io.cakemail.gateway.smtp.MailParameters;
import io.cakemail.gateway.smtp.SmtpAuthenticator;
import io.cakemail.gateway.smtp.SmtpServerConfig;
import io.cakemail.gateway.testing.RecordingReceiver;
import io.cakemail.gateway.testing.TestAuthenticator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Queue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SmtpSessionTest {

    private static final SmtpServerConfig PLAINTEXT_AUTH = SmtpServerConfig.builder()
            .hostname("mx.test")
            .tlsRequiredForAuth(false)
            .build();
    private static final String AUTH_PLAIN =
            "AUTH PLAIN " + base64("\0" + TestAuthenticator.USERNAME + "\0" + TestAuthenticator.PASSWORD) + "\r\n";
    private static final String READY = "EHLO client.test\r\n" + AUTH_PLAIN;

    private final Queue<Runnable> deferred = new ArrayDeque<>();
    private RecordingReceiver receiver = RecordingReceiver.accepting();
    private SessionHarness session;

    @AfterEach
    void close() {
        if (session != null) {
            session.close();
        }
    }

    @Test
    void greetsWithHostname() {
        assertThat(start(PLAINTEXT_AUTH).replies()).isEqualTo("220 mx.test ESMTP Cakemail SMTP gateway ready\r\n");
    }

    @Test
    void ehloAdvertisesTheExtensions() {
        start(PLAINTEXT_AUTH).replies();
        assertThat(session.send("EHLO client.test\r\n"))
                .isEqualTo("250-mx.test Hello client.test\r\n"
                        + "250-PIPELINING\r\n"
                        + "250-ENHANCEDSTATUSCODES\r\n"
                        + "250-SIZE 36700160\r\n"
                        + "250-8BITMIME\r\n"
                        + "250-SMTPUTF8\r\n"
                        + "250-CHUNKING\r\n"
                        + "250 AUTH PLAIN LOGIN\r\n");
    }

    /** Found by SmtpSessionFuzzTest: the client's name was echoed whatever it held, and however long. */
    @ParameterizedTest
    @ValueSource(strings = {"client\u001b[31m.test", "client.exam\u00e9le", "client\u007f.test"})
    void theGreetingEchoesTheClientsNameOnlyWhenItIsPrintableAscii(String name) {
        start(PLAINTEXT_AUTH).replies();
        assertThat(session.send("HELO " + name + "\r\n")).isEqualTo("250 mx.test Hello\r\n");
        assertThat(session.send("EHLO " + name + "\r\n")).startsWith("250-mx.test Hello\r\n250-PIPELINING\r\n");
    }

    @Test
    void theGreetingNeverGrowsPastTheLengthOfAReplyLine() {
        start(PLAINTEXT_AUTH).replies();
        String longest = "a".repeat(1000 - "EHLO \r\n".length());
        assertThat(session.send("EHLO " + longest + "\r\n")).startsWith("250-mx.test Hello\r\n");
        String fits = "a".repeat(255);
        assertThat(session.send("HELO " + fits + "\r\n")).isEqualTo("250 mx.test Hello " + fits + "\r\n");
    }

    @Test
    void authIsNeitherOfferedNorAcceptedWithoutTlsWhenTlsIsRequired() {
        start(SmtpServerConfig.DEFAULT).replies();
        assertThat(session.send("EHLO client.test\r\n")).doesNotContain("AUTH");
        assertThat(session.send(AUTH_PLAIN)).startsWith("538 5.7.11 ");
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "MAIL FROM:<a@example.com>   | 503 5.5.1 Send EHLO or HELO first",
                "RCPT TO:<a@example.com>     | 503 5.5.1 Send MAIL first",
                "DATA                        | 503 5.5.1 Send MAIL first",
                "BDAT 0 LAST                 | 503 5.5.1 Send EHLO first",
                "AUTH PLAIN                  | 503 5.5.1 Send EHLO first",
                "STARTTLS                    | 502 5.5.1 Command not implemented",
                "XYZZY                       | 500 5.5.2 Command unrecognized",
                "EHLO                        | 501 5.5.4 Syntax: EHLO hostname",
                "RSET now                    | 501 5.5.4 No parameters allowed",
                "NOOP anything               | 250 2.0.0 OK",
                "VRFY someone                | 252 2.5.0 Cannot VRFY user, but will accept message and attempt delivery",
            })
    void answersEveryCommandOutOfOrder(String command, String reply) {
        start(PLAINTEXT_AUTH).replies();
        assertThat(session.send(command + "\r\n")).isEqualTo(reply + "\r\n");
    }

    @Test
    void mailNeedsAuthentication() {
        start(PLAINTEXT_AUTH).replies();
        session.send("EHLO client.test\r\n");
        assertThat(session.send("MAIL FROM:<a@example.com>\r\n")).isEqualTo("530 5.7.0 Authentication required\r\n");
    }

    @Test
    void helpListsTheCommands() {
        start(PLAINTEXT_AUTH).replies();
        assertThat(session.send("HELP\r\n")).startsWith("214-2.0.0 Commands:").contains("\r\n214 2.0.0 ");
    }

    @Test
    void authPlainWithInitialResponse() {
        start(PLAINTEXT_AUTH).replies();
        session.send("EHLO client.test\r\n");
        assertThat(session.send(AUTH_PLAIN)).isEqualTo("235 2.7.0 Authentication succeeded\r\n");
        assertThat(session.send(AUTH_PLAIN)).isEqualTo("503 5.5.1 Already authenticated\r\n");
    }

    @Test
    void authPlainWithoutInitialResponse() {
        start(PLAINTEXT_AUTH).replies();
        session.send("EHLO client.test\r\n");
        assertThat(session.send("AUTH PLAIN\r\n")).isEqualTo("334 \r\n");
        assertThat(session.send(AUTH_PLAIN.substring("AUTH PLAIN ".length())))
                .isEqualTo("235 2.7.0 Authentication succeeded\r\n");
    }

    @Test
    void authLoginWithoutInitialResponse() {
        start(PLAINTEXT_AUTH).replies();
        session.send("EHLO client.test\r\n");
        assertThat(session.send("AUTH LOGIN\r\n")).isEqualTo("334 VXNlcm5hbWU6\r\n");
        assertThat(session.send(base64(TestAuthenticator.USERNAME) + "\r\n")).isEqualTo("334 UGFzc3dvcmQ6\r\n");
        assertThat(session.send(base64(TestAuthenticator.PASSWORD) + "\r\n"))
                .isEqualTo("235 2.7.0 Authentication succeeded\r\n");
    }

    @Test
    void authLoginWithInitialResponse() {
        start(PLAINTEXT_AUTH).replies();
        session.send("EHLO client.test\r\n");
        assertThat(session.send("AUTH LOGIN " + base64(TestAuthenticator.USERNAME) + "\r\n"))
                .isEqualTo("334 UGFzc3dvcmQ6\r\n");
        assertThat(session.send(base64(TestAuthenticator.PASSWORD) + "\r\n"))
                .isEqualTo("235 2.7.0 Authentication succeeded\r\n");
    }

    @Test
    void authCanBeCancelled() {
        start(PLAINTEXT_AUTH).replies();
        session.send("EHLO client.test\r\n");
        session.send("AUTH LOGIN\r\n");
        assertThat(session.send("*\r\n")).isEqualTo("501 5.7.0 Authentication cancelled\r\n");
        assertThat(session.send("NOOP\r\n")).isEqualTo("250 2.0.0 OK\r\n");
    }

    @Test
    void malformedBase64IsRefused() {
        start(PLAINTEXT_AUTH).replies();
        session.send("EHLO client.test\r\n");
        assertThat(session.send("AUTH PLAIN not*base64!\r\n")).isEqualTo("501 5.5.2 Cannot decode base64 response\r\n");
        session.send("AUTH LOGIN\r\n");
        assertThat(session.send("%%%\r\n")).isEqualTo("501 5.5.2 Cannot decode base64 response\r\n");
    }

    @Test
    void malformedPlainResponsesAreRefused() {
        start(PLAINTEXT_AUTH).replies();
        session.send("EHLO client.test\r\n");
        assertThat(session.send("AUTH PLAIN " + base64("no-nul-at-all") + "\r\n"))
                .isEqualTo("501 5.5.2 Malformed authentication response\r\n");
        assertThat(session.send("AUTH PLAIN "
                        + base64("admin\0" + TestAuthenticator.USERNAME + "\0" + TestAuthenticator.PASSWORD) + "\r\n"))
                .startsWith("535 5.7.8 Authorization identity");
    }

    @Test
    void unknownMechanismIsRefused() {
        start(PLAINTEXT_AUTH).replies();
        session.send("EHLO client.test\r\n");
        assertThat(session.send("AUTH CRAM-MD5\r\n")).startsWith("504 5.5.4 ");
    }

    @Test
    void wrongCredentialsAreRefusedAndLimited() {
        start(PLAINTEXT_AUTH).replies();
        session.send("EHLO client.test\r\n");
        String wrong = "AUTH PLAIN " + base64("\0" + TestAuthenticator.USERNAME + "\0wrong") + "\r\n";
        assertThat(session.send(wrong)).isEqualTo("535 5.7.8 Authentication credentials invalid\r\n");
        assertThat(session.send(wrong)).isEqualTo("535 5.7.8 Authentication credentials invalid\r\n");
        assertThat(session.send(wrong)).isEqualTo("421 4.7.0 Too many authentication failures, closing connection\r\n");
        assertThat(session.isOpen()).isFalse();
    }

    @Test
    void temporaryAuthenticationFailureIs454() {
        start(PLAINTEXT_AUTH).replies();
        session.send("EHLO client.test\r\n");
        assertThat(session.send("AUTH PLAIN " + base64("\0" + TestAuthenticator.UNAVAILABLE_USER + "\0x") + "\r\n"))
                .isEqualTo("454 4.7.0 Authentication service unavailable, try again later\r\n");
    }

    @Test
    void theRepliesToAPipelinedGroupLeaveInOneWrite() {
        start(PLAINTEXT_AUTH).replies();
        session.send(READY);
        session.channel.writeInbound(Unpooled.copiedBuffer(
                "MAIL FROM:<sender@example.com>\r\n" + "RCPT TO:<one@example.com>\r\nDATA\r\n",
                StandardCharsets.US_ASCII));
        assertThat(session.writes())
                .containsExactly("250 2.1.0 Sender OK\r\n250 2.1.5 Recipient OK\r\n"
                        + "354 Start mail input; end with <CRLF>.<CRLF>\r\n");
    }

    @Test
    void aPipelinedTransactionIsAnsweredInOneFlushAndDelivered() {
        start(PLAINTEXT_AUTH).replies();
        String replies = session.send(READY
                + "MAIL FROM:<sender@example.com> BODY=8BITMIME SIZE=40\r\n"
                + "RCPT TO:<one@example.com>\r\n"
                + "RCPT TO:<two@example.com>\r\n"
                + "DATA\r\n");
        assertThat(replies)
                .endsWith("235 2.7.0 Authentication succeeded\r\n"
                        + "250 2.1.0 Sender OK\r\n"
                        + "250 2.1.5 Recipient OK\r\n"
                        + "250 2.1.5 Recipient OK\r\n"
                        + "354 Start mail input; end with <CRLF>.<CRLF>\r\n");
        assertThat(session.send("Subject: hi\r\n\r\n..dot\r\n.\r\n")).isEqualTo("250 2.0.0 Queued as test-21\r\n");

        RecordingReceiver.Message message = receiver.messages().get(0);
        assertThat(message.text()).isEqualTo("Subject: hi\r\n\r\n.dot\r\n");
        Envelope envelope = message.envelope();
        assertThat(envelope.sender()).isEqualTo("sender@example.com");
        assertThat(envelope.recipients()).containsExactly("one@example.com", "two@example.com");
        assertThat(envelope.parameters())
                .isEqualTo(new MailParameters(40, MailParameters.BodyType.EIGHT_BIT_MIME, false, null));
        assertThat(envelope.principal().getName()).isEqualTo(TestAuthenticator.USERNAME);
        assertThat(envelope.heloName()).isEqualTo("client.test");
        assertThat(envelope.tls()).isNull();
    }

    @Test
    void theTransactionEndsWithTheMessage() {
        ready();
        session.send("MAIL FROM:<>\r\nRCPT TO:<one@example.com>\r\nDATA\r\nx\r\n.\r\n");
        assertThat(session.send("RCPT TO:<two@example.com>\r\n")).isEqualTo("503 5.5.1 Send MAIL first\r\n");
        assertThat(receiver.messages().get(0).envelope().sender()).isNull();
    }

    @Test
    void resetClearsTheTransaction() {
        ready();
        assertThat(session.send("MAIL FROM:<a@example.com>\r\nRSET\r\nRCPT TO:<b@example.com>\r\n"))
                .isEqualTo("250 2.1.0 Sender OK\r\n250 2.0.0 Reset state\r\n503 5.5.1 Send MAIL first\r\n");
    }

    @Test
    void nestedMailAndDataWithoutRecipientsAreRefused() {
        ready();
        assertThat(session.send("MAIL FROM:<a@example.com>\r\nMAIL FROM:<b@example.com>\r\nDATA\r\n"))
                .isEqualTo("250 2.1.0 Sender OK\r\n503 5.5.1 Sender already specified\r\n"
                        + "554 5.5.1 No valid recipients\r\n");
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "MAIL FROM:<a@example.com> SIZE=36700161 | 552 5.3.4 Message size exceeds fixed maximum message size",
                "MAIL FROM:<a@example.com> SIZE=12x      | 501 5.5.4 Syntax: MAIL FROM:<address> [parameters]",
                "MAIL FROM:<a@example.com> BODY=BINARYMIME | 555 5.5.4 Unsupported parameter",
                "MAIL FROM:<a@example.com> RET=FULL      | 555 5.5.4 Unsupported parameter",
                "MAIL FROM:<a@example.com> SMTPUTF8=yes  | 501 5.5.4 Syntax: MAIL FROM:<address> [parameters]",
                "MAIL FROM:<a@example.com> SIZE=1 SIZE=2 | 501 5.5.4 Syntax: MAIL FROM:<address> [parameters]",
                "MAIL FROM:a@example.com                 | 501 5.5.4 Syntax: MAIL FROM:<address> [parameters]",
                "MAIL TO:<a@example.com>                 | 501 5.5.4 Syntax: MAIL FROM:<address> [parameters]",
                "MAIL FROM:<not an address>              | 501 5.1.7 Bad sender address syntax",
                "MAIL FROM:<a@b..c>                      | 501 5.1.7 Bad sender address syntax",
                "MAIL FROM:<a@example.com                | 501 5.1.7 Bad sender address syntax",
                "MAIL FROM:<jösé@example.com>            | 553 5.6.7 Non-ASCII address requires the SMTPUTF8 parameter",
                "MAIL FROM:<jösé@exämple.com> SMTPUTF8   | 250 2.1.0 Sender OK",
                "MAIL FROM: <a@example.com>              | 250 2.1.0 Sender OK",
                "mail from:<@relay.example:a@example.com> | 250 2.1.0 Sender OK",
                "MAIL FROM:<\"john doe\"@example.com>     | 250 2.1.0 Sender OK",
                "MAIL FROM:<a@[192.0.2.1]>               | 250 2.1.0 Sender OK",
            })
    void validatesMailFrom(String command, String reply) {
        ready();
        assertThat(session.send(command + "\r\n")).isEqualTo(reply + "\r\n");
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "RCPT TO:<>                          | 501 5.1.3 Bad recipient address syntax",
                "RCPT TO:<postmaster>                | 501 5.1.3 Bad recipient address syntax",
                "RCPT TO:<b@example.com> NOTIFY=NEVER | 555 5.5.4 Unsupported parameter",
                "RCPT FROM:<b@example.com>           | 501 5.5.4 Syntax: RCPT TO:<address> [parameters]",
                "RCPT TO:<bö@example.com>            | 553 5.6.7 Non-ASCII address requires the SMTPUTF8 parameter",
                "rcpt to:<B@Example.COM>             | 250 2.1.5 Recipient OK",
            })
    void validatesRcptTo(String command, String reply) {
        ready();
        session.send("MAIL FROM:<a@example.com>\r\n");
        assertThat(session.send(command + "\r\n")).isEqualTo(reply + "\r\n");
    }

    @Test
    void esmtpParametersNeedEhlo() {
        start(PLAINTEXT_AUTH.toBuilder().authRequired(false).build()).replies();
        session.send("HELO client.test\r\n");
        assertThat(session.send("MAIL FROM:<a@example.com> SIZE=10\r\n"))
                .isEqualTo("555 5.5.4 Parameters need EHLO, not HELO\r\n");
    }

    @Test
    void authParameterIsDecodedFromXtext() {
        ready();
        session.send(
                "MAIL FROM:<a@example.com> AUTH=a+2Bb@example.com\r\nRCPT TO:<b@example.com>\r\n" + "DATA\r\n.\r\n");
        assertThat(receiver.messages().get(0).envelope().parameters().authorizedSender())
                .isEqualTo("a+b@example.com");
    }

    @Test
    void recipientsAreLimited() {
        start(PLAINTEXT_AUTH.toBuilder().maxRecipients(2).build()).replies();
        session.send(READY + "MAIL FROM:<a@example.com>\r\n");
        assertThat(session.send("RCPT TO:<1@example.com>\r\nRCPT TO:<2@example.com>\r\nRCPT TO:<3@example.com>\r\n"))
                .isEqualTo("250 2.1.5 Recipient OK\r\n250 2.1.5 Recipient OK\r\n452 4.5.3 Too many recipients\r\n");
    }

    @Test
    void anOversizedMessageIsConsumedAndRefusedAndTheSessionStaysInSync() {
        start(PLAINTEXT_AUTH.toBuilder().maxMessageSize(10).build()).replies();
        session.send(READY + "MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.com>\r\nDATA\r\n");
        session.send("0123456789\r\n");
        assertThat(session.send("more\r\n.\r\nNOOP\r\n"))
                .isEqualTo("552 5.3.4 Message size exceeds fixed maximum message size\r\n250 2.0.0 OK\r\n");
        assertThat(receiver.messages()).isEmpty();
        assertThat(receiver.aborted()).isEqualTo(1);
    }

    @Test
    void bdatChunksAreAcknowledgedAndDelivered() {
        ready();
        assertThat(session.send("MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.com>\r\n"
                        + "BDAT 14\r\nSubject: x\r\n\r\nBDAT 6 LAST\r\nbody\r\n"))
                .isEqualTo("250 2.1.0 Sender OK\r\n250 2.1.5 Recipient OK\r\n250 2.0.0 14 octets received\r\n"
                        + "250 2.0.0 Queued as test-20\r\n");
        assertThat(receiver.messages().get(0).text()).isEqualTo("Subject: x\r\n\r\nbody\r\n");
    }

    @Test
    void bdatWithoutATransactionIsRefusedAndItsChunkConsumed() {
        ready();
        assertThat(session.send("BDAT 10 LAST\r\nMAIL FROM:NOOP\r\n"))
                .isEqualTo("503 5.5.1 Send MAIL first\r\n250 2.0.0 OK\r\n");
    }

    @Test
    void anOversizedBdatChunkIsRefusedAndTheRestOfTheMessageIgnored() {
        start(PLAINTEXT_AUTH.toBuilder().maxMessageSize(10).build()).replies();
        session.send(READY + "MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.com>\r\n");
        assertThat(session.send("BDAT 8\r\n12345678BDAT 8\r\n12345678BDAT 2 LAST\r\n12NOOP\r\n"))
                .isEqualTo("250 2.0.0 8 octets received\r\n"
                        + "552 5.3.4 Message size exceeds fixed maximum message size\r\n"
                        + "503 5.5.1 Send MAIL first\r\n"
                        + "250 2.0.0 OK\r\n");
        assertThat(receiver.aborted()).isEqualTo(1);
    }

    @Test
    void dataCannotFollowBdat() {
        ready();
        assertThat(session.send("MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.com>\r\nBDAT 1\r\nxDATA\r\n"))
                .endsWith("250 2.0.0 1 octets received\r\n503 5.5.1 DATA cannot follow BDAT\r\n");
    }

    @Test
    void malformedBdatClosesTheSession() {
        ready();
        assertThat(session.send("BDAT lots\r\n")).isEqualTo("501 5.5.4 Syntax: BDAT size [LAST]\r\n");
        assertThat(session.isOpen()).isFalse();
    }

    @Test
    void bareLineEndingsAreRefusedUnderTheRejectPolicy() {
        start(PLAINTEXT_AUTH.toBuilder()
                        .bareLineEndingPolicy(BareLineEndingPolicy.REJECT)
                        .build())
                .replies();
        session.send(READY + "MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.com>\r\nDATA\r\n");
        assertThat(session.send("a\nb\r\n.\r\n")).startsWith("550 5.6.0 ");
        assertThat(receiver.aborted()).isEqualTo(1);
    }

    @Test
    void anAsynchronousAnswerPausesTheSessionUntilItArrives() {
        receiver = new RecordingReceiver(deferred::add, RecordingReceiver::queued);
        ready();
        String replies = session.send("MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.com>\r\nDATA\r\n");
        assertThat(replies).endsWith("354 Start mail input; end with <CRLF>.<CRLF>\r\n");
        assertThat(session.send("hello\r\n.\r\nNOOP\r\nQUIT\r\n")).isEmpty();
        assertThat(session.runPendingTasks()).isEmpty();
        assertThat(session.channel.config().isAutoRead())
                .as("reads stop while pipelined commands wait")
                .isFalse();
        deferred.remove().run();
        assertThat(session.runPendingTasks())
                .isEqualTo("250 2.0.0 Queued as test-7\r\n250 2.0.0 OK\r\n221 2.0.0 Bye\r\n");
        assertThat(session.isOpen()).isFalse();
    }

    @Test
    void aClientWaitingForItsReplyKeepsReadsOn() {
        receiver = new RecordingReceiver(deferred::add, RecordingReceiver::queued);
        ready();
        session.send("MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.com>\r\nDATA\r\n");
        assertThat(session.send("hello\r\n.\r\n")).isEmpty();
        assertThat(session.channel.config().isAutoRead()).isTrue();
        deferred.remove().run();
        assertThat(session.runPendingTasks()).startsWith("250 2.0.0 Queued as ");
        assertThat(session.send("NOOP\r\n")).isEqualTo("250 2.0.0 OK\r\n");
        assertThat(session.channel.config().isAutoRead()).isTrue();
    }

    @Test
    void anAsynchronousAuthenticationPausesTheSession() {
        start(PLAINTEXT_AUTH, new TestAuthenticator(deferred::add)).replies();
        assertThat(session.send(READY + "MAIL FROM:<a@example.com>\r\n"))
                .endsWith("250-CHUNKING\r\n250 AUTH PLAIN LOGIN\r\n");
        deferred.remove().run();
        assertThat(session.runPendingTasks())
                .isEqualTo("235 2.7.0 Authentication succeeded\r\n250 2.1.0 Sender OK\r\n");
    }

    @Test
    void aFailedHandOverIsATemporaryFailure() {
        receiver = new RecordingReceiver(Runnable::run, message -> {
            throw new IllegalStateException("API down");
        });
        ready();
        assertThat(session.send("MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.com>\r\nDATA\r\nx\r\n.\r\n"))
                .endsWith("451 4.3.0 Temporary failure while handing over the message, try again later\r\n");
    }

    @Test
    void tooManyBadCommandsCloseTheSession() {
        start(PLAINTEXT_AUTH.toBuilder().maxErrors(3).build()).replies();
        assertThat(session.send("FOO\r\nBAR\r\nBAZ\r\nNOOP\r\n"))
                .isEqualTo("500 5.5.2 Command unrecognized\r\n500 5.5.2 Command unrecognized\r\n"
                        + "500 5.5.2 Command unrecognized\r\n421 4.7.0 Too many errors, closing connection\r\n");
        assertThat(session.isOpen()).isFalse();
    }

    @Test
    void commandsAfterQuitAreIgnored() {
        start(PLAINTEXT_AUTH).replies();
        assertThat(session.send("QUIT\r\nNOOP\r\nEHLO x\r\n")).isEqualTo("221 2.0.0 Bye\r\n");
        assertThat(session.isOpen()).isFalse();
    }

    @Test
    void badLinesGetAPreciseReply() {
        start(PLAINTEXT_AUTH).replies();
        assertThat(session.send("NOOP " + "x".repeat(3000) + "\r\nNOOP\0\r\nNOOP\n"))
                .isEqualTo("500 5.5.2 Line too long (maximum 2048 octets)\r\n"
                        + "500 5.5.2 NUL character in command line\r\n"
                        + "500 5.5.2 Line must end with CRLF\r\n");
    }

    @Test
    void losingTheConnectionMidDataAbortsTheMessage() {
        ready();
        session.send("MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.com>\r\nDATA\r\npartial");
        session.channel.close();
        assertThat(receiver.aborted()).isEqualTo(1);
        assertThat(receiver.messages()).isEmpty();
    }

    @Test
    void shutdownClosesAnIdleSession() {
        start(PLAINTEXT_AUTH).replies();
        session.channel.pipeline().fireUserEventTriggered(SmtpServerHandler.SHUTDOWN);
        assertThat(session.replies()).isEqualTo("421 4.3.2 Service shutting down, try again later\r\n");
        assertThat(session.isOpen()).isFalse();
    }

    @Test
    void shutdownWaitsForThePendingReply() {
        receiver = new RecordingReceiver(deferred::add, RecordingReceiver::queued);
        ready();
        session.send("MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.com>\r\nDATA\r\nhello\r\n.\r\n");
        session.channel.pipeline().fireUserEventTriggered(SmtpServerHandler.SHUTDOWN);
        assertThat(session.replies()).isEmpty();
        deferred.remove().run();
        assertThat(session.runPendingTasks())
                .isEqualTo("250 2.0.0 Queued as test-7\r\n421 4.3.2 Service shutting down, try again later\r\n");
        assertThat(session.isOpen()).isFalse();
    }

    @Test
    void shutdownLetsAMessageWhoseContentIsArrivingFinish() {
        ready();
        assertThat(session.send("MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.com>\r\nDATA\r\n"))
                .endsWith("354 Start mail input; end with <CRLF>.<CRLF>\r\n");
        assertThat(session.send("Subject: draining\r\n\r\nfirst half\r\n")).isEmpty();
        session.channel.pipeline().fireUserEventTriggered(SmtpServerHandler.SHUTDOWN);
        assertThat(session.replies()).isEmpty();
        assertThat(session.isOpen()).isTrue();
        assertThat(session.send("second half\r\n.\r\nMAIL FROM:<c@example.com>\r\n"))
                .matches(
                        "250 2\\.0\\.0 Queued as test-\\d+\r\n421 4\\.3\\.2 Service shutting down, try again later\r\n");
        assertThat(receiver.messages()).hasSize(1);
        assertThat(session.isOpen()).isFalse();
    }

    private SessionHarness start(SmtpServerConfig config) {
        return start(config, TestAuthenticator.immediate());
    }

    private SessionHarness start(SmtpServerConfig config, SmtpAuthenticator authenticator) {
        session = new SessionHarness(config, authenticator, receiver);
        return session;
    }

    private void ready() {
        start(PLAINTEXT_AUTH).replies();
        assertThat(session.send(READY)).endsWith("235 2.7.0 Authentication succeeded\r\n");
    }

    private static String base64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }
}
