package io.cakemail.gateway.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cakemail.gateway.smtp.Envelope;
import io.cakemail.gateway.smtp.SmtpReply;
import io.cakemail.gateway.smtp.TlsMode;
import io.cakemail.gateway.testing.RecordingReceiver;
import io.cakemail.gateway.testing.TestAuthenticator;
import jakarta.activation.DataHandler;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.util.ByteArrayDataSource;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.function.UnaryOperator;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real clients (Jakarta Mail, curl, Python smtplib) against the gateway over real sockets. The same suite runs
 * over STARTTLS and implicit TLS (see the subclasses).
 */
abstract class AbstractSmtpClientsTest {

    @RegisterExtension
    final Gateways gateways = new Gateways();

    private static final String PYTHON_CLIENT = String.join(
            "\n",
            "import smtplib, ssl, sys",
            "from email.message import EmailMessage",
            "mode, port, user, password = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]",
            "ctx = ssl._create_unverified_context()",
            "if mode == 'STARTTLS':",
            "    s = smtplib.SMTP('127.0.0.1', port, timeout=30)",
            "    s.starttls(context=ctx)",
            "else:",
            "    s = smtplib.SMTP_SSL('127.0.0.1', port, context=ctx, timeout=30)",
            "try:",
            "    s.login(user, password)",
            "except smtplib.SMTPAuthenticationError as e:",
            "    print('auth failed', e.smtp_code, e.smtp_error.decode())",
            "    sys.exit(3)",
            "msg = EmailMessage()",
            "msg['From'] = 'Émile Sender <sender@example.com>'",
            "msg['To'] = 'one@example.com'",
            "msg['Subject'] = 'Bonjour été'",
            "msg.set_content('Héllo wörld\\n.\\n..two dots\\n')",
            "msg.add_alternative('<p>Hi</p>', subtype='html')",
            "s.send_message(msg, to_addrs=['one@example.com', 'two@example.com'])",
            "s.quit()",
            "print('sent')");

    private ScriptedGateway gateway;

    abstract TlsMode mode();

    @BeforeEach
    void start() throws Exception {
        gateway = gateways.scripted();
    }

    @Test
    void jakartaMailSendsAMultipartMessageToToCcAndBcc() throws Exception {
        MimeMessage message = new MimeMessage(session(props -> props));
        message.setFrom(new InternetAddress("sender@example.com", "Sender"));
        message.setRecipient(Message.RecipientType.TO, new InternetAddress("to@example.com"));
        message.setRecipient(Message.RecipientType.CC, new InternetAddress("cc@example.com"));
        message.setRecipient(Message.RecipientType.BCC, new InternetAddress("bcc@example.com"));
        message.setSubject("Invoice 42", "UTF-8");
        MimeMultipart multipart = new MimeMultipart("mixed");
        MimeBodyPart html = new MimeBodyPart();
        html.setContent("<h1>Your invoice</h1>\n.\n<p>Thanks</p>", "text/html; charset=UTF-8");
        multipart.addBodyPart(html);
        MimeBodyPart pdf = new MimeBodyPart();
        pdf.setDataHandler(new DataHandler(new ByteArrayDataSource(new byte[20_000], "application/pdf")));
        pdf.setFileName("invoice.pdf");
        multipart.addBodyPart(pdf);
        message.setContent(multipart);

        Transport.send(message, TestAuthenticator.USERNAME, TestAuthenticator.PASSWORD);

        RecordingReceiver.Message received = onlyMessage();
        Envelope envelope = received.envelope();
        assertThat(envelope.sender()).isEqualTo("sender@example.com");
        assertThat(envelope.recipients())
                .containsExactlyInAnyOrder("to@example.com", "cc@example.com", "bcc@example.com");
        assertThat(envelope.principal().getName()).isEqualTo(TestAuthenticator.USERNAME);
        assertThat(envelope.tls()).isNotNull();
        assertThat(envelope.tls().protocol()).isIn("TLSv1.3", "TLSv1.2");
        assertThat(received.text())
                .contains("Subject: Invoice 42", "filename=invoice.pdf", "\r\n.\r\n<p>Thanks</p>")
                .doesNotContain("Bcc:");
        assertThat(received.text().replace("\r\n", "")).doesNotContain("\n");
    }

    @Test
    void jakartaMailUsesBdatWhenChunkingIsEnabled() throws Exception {
        ByteArrayOutputStream debug = new ByteArrayOutputStream();
        Session session = session(props -> {
            props.put("mail.smtp.chunksize", "1024");
            return props;
        });
        session.setDebugOut(new PrintStream(debug, true, StandardCharsets.UTF_8));
        session.setDebug(true);
        MimeMessage message = new MimeMessage(session);
        message.setFrom("sender@example.com");
        message.setRecipients(Message.RecipientType.TO, "to@example.com");
        message.setSubject("Chunked");
        String body = "line of text that repeats\r\n".repeat(200);
        message.setText(body);

        Transport.send(message, TestAuthenticator.USERNAME, TestAuthenticator.PASSWORD);

        assertThat(debug.toString(StandardCharsets.UTF_8)).contains("BDAT 1024").contains(" LAST");
        assertThat(onlyMessage().text()).contains("Subject: Chunked").contains(body);
    }

    @Test
    void jakartaMailSeesWrongCredentialsRefused() {
        MimeMessage message = new MimeMessage(session(props -> props));
        assertThatThrownBy(() -> {
                    message.setFrom("sender@example.com");
                    message.setRecipients(Message.RecipientType.TO, "to@example.com");
                    message.setText("x");
                    Transport.send(message, TestAuthenticator.USERNAME, "wrong");
                })
                .isInstanceOf(AuthenticationFailedException.class)
                .hasMessageContaining("535 5.7.8");
        assertThat(gateway.receiver.messages()).isEmpty();
    }

    @Test
    void jakartaMailSeesATemporaryFailureAsTemporary() throws Exception {
        gateway.close();
        gateway = gateways.scripted(
                ScriptedGateway.spec().replies(message -> SmtpReply.of(451, "4.3.0", "API unavailable")));
        MimeMessage message = new MimeMessage(session(props -> props));
        message.setFrom("sender@example.com");
        message.setRecipients(Message.RecipientType.TO, "to@example.com");
        message.setText("x");
        assertThatThrownBy(() -> Transport.send(message, TestAuthenticator.USERNAME, TestAuthenticator.PASSWORD))
                .isInstanceOfSatisfying(SMTPSendFailedException.class, e -> {
                    assertThat(e.getReturnCode()).isEqualTo(451);
                    assertThat(e).hasMessageContaining("4.3.0 API unavailable");
                });
    }

    @Test
    void curlSendsAMessage(@TempDir Path dir) throws Exception {
        Path mail = dir.resolve("mail.eml");
        Files.writeString(
                mail,
                "From: sender@example.com\r\nTo: rcpt@example.com\r\nSubject: From curl\r\n\r\n"
                        + "Hello from curl\r\n.leading dot\r\n");
        String url = (mode() == TlsMode.IMPLICIT ? "smtps" : "smtp") + "://127.0.0.1:" + gateway.port(mode());
        ExternalClient.Result result = ExternalClient.curlSend(
                url,
                TestAuthenticator.USERNAME + ":" + TestAuthenticator.PASSWORD,
                "sender@example.com",
                mail,
                "rcpt@example.com",
                "other@example.com");
        assertThat(result.exitCode()).as(result.output()).isZero();
        RecordingReceiver.Message received = onlyMessage();
        assertThat(received.envelope().recipients()).containsExactly("rcpt@example.com", "other@example.com");
        assertThat(received.text()).contains("Subject: From curl\r\n\r\nHello from curl\r\n.leading dot\r\n");
    }

    @Test
    void pythonSmtplibSendsAUtf8Message() throws Exception {
        ExternalClient.Result result = ExternalClient.python(
                PYTHON_CLIENT,
                mode().name(),
                String.valueOf(gateway.port(mode())),
                TestAuthenticator.ASCII_USERNAME,
                TestAuthenticator.ASCII_PASSWORD);
        assertThat(result.exitCode()).as(result.output()).isZero();
        RecordingReceiver.Message received = onlyMessage();
        assertThat(received.envelope().recipients()).containsExactly("one@example.com", "two@example.com");
        assertThat(received.text())
                .contains(
                        "Subject: Bonjour =?utf-8?b?w6l0w6k=?=",
                        "text/html",
                        "Content-Transfer-Encoding: 8bit\r\n\r\nHéllo wörld\r\n.\r\n..two dots\r\n");
    }

    @Test
    void pythonSmtplibSeesWrongCredentialsRefused() throws Exception {
        ExternalClient.Result result = ExternalClient.python(
                PYTHON_CLIENT,
                mode().name(),
                String.valueOf(gateway.port(mode())),
                TestAuthenticator.ASCII_USERNAME,
                "wrong");
        assertThat(result.exitCode()).as(result.output()).isEqualTo(3);
        assertThat(result.output()).contains("auth failed 535 5.7.8");
    }

    @Test
    void pipelinedTransactionAndBdatOverTls() throws Exception {
        try (LineClient client = mode() == TlsMode.IMPLICIT
                ? LineClient.connectTls(gateway.port(mode()))
                : LineClient.connect(gateway.port(mode()))) {
            assertThat(client.reply()).startsWith("220 gateway.test ");
            if (mode() == TlsMode.STARTTLS) {
                assertThat(client.command("EHLO client.test"))
                        .contains("STARTTLS")
                        .doesNotContain("AUTH");
                assertThat(client.command("STARTTLS")).isEqualTo("220 2.0.0 Ready to start TLS");
                client.startTls();
            }
            assertThat(client.negotiatedProtocol()).isEqualTo("TLSv1.3");
            String plain = java.util.Base64.getEncoder()
                    .encodeToString(("\0" + TestAuthenticator.USERNAME + "\0" + TestAuthenticator.PASSWORD)
                            .getBytes(StandardCharsets.UTF_8));
            client.send("EHLO client.test\r\nAUTH PLAIN " + plain + "\r\nMAIL FROM:<a@example.com>\r\n"
                    + "RCPT TO:<b@example.com>\r\nRCPT TO:<c@example.com>\r\nBDAT 5\r\nHelloBDAT 9 LAST\r\n"
                    + ", world\r\nQUIT\r\n");
            assertThat(client.reply())
                    .contains("250-PIPELINING", "250 AUTH PLAIN LOGIN")
                    .doesNotContain("STARTTLS");
            assertThat(client.reply()).isEqualTo("235 2.7.0 Authentication succeeded");
            assertThat(client.reply()).isEqualTo("250 2.1.0 Sender OK");
            assertThat(client.reply()).isEqualTo("250 2.1.5 Recipient OK");
            assertThat(client.reply()).isEqualTo("250 2.1.5 Recipient OK");
            assertThat(client.reply()).isEqualTo("250 2.0.0 5 octets received");
            assertThat(client.reply()).isEqualTo("250 2.0.0 Queued as test-14");
            assertThat(client.reply()).isEqualTo("221 2.0.0 Bye");
            assertThat(client.readToEnd()).isEmpty();
        }
        assertThat(onlyMessage().text()).isEqualTo("Hello, world\r\n");
    }

    private RecordingReceiver.Message onlyMessage() {
        assertThat(gateway.receiver.messages()).hasSize(1);
        return gateway.receiver.messages().get(0);
    }

    private Session session(UnaryOperator<Properties> customize) {
        Properties props = new Properties();
        props.put("mail.smtp.host", "127.0.0.1");
        props.put("mail.smtp.port", String.valueOf(gateway.port(mode())));
        props.put("mail.smtp.auth", "true");
        props.put("mail.smtp.ssl.trust", "*");
        props.put("mail.smtp.ssl.checkserveridentity", "false");
        props.put("mail.smtp.timeout", "20000");
        props.put("mail.smtp.connectiontimeout", "20000");
        if (mode() == TlsMode.IMPLICIT) {
            props.put("mail.smtp.ssl.enable", "true");
        } else {
            props.put("mail.smtp.starttls.enable", "true");
            props.put("mail.smtp.starttls.required", "true");
        }
        return Session.getInstance(customize.apply(props));
    }
}
