package io.cakemail.gateway.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.cakemail.gateway.smtp.TlsMode;
import io.cakemail.gateway.testkit.NodeClients;
import io.cakemail.sandbox.Inbox;
import jakarta.activation.DataHandler;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.util.ByteArrayDataSource;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real clients through the whole gateway to the sandbox API: Jakarta Mail, curl, Python's smtplib and Nodemailer,
 * with several recipients (To, Cc, Bcc), HTML with attachments, PIPELINING and BDAT.
 */
class EndToEndClientsTest {

    @RegisterExtension
    final Gateways gateways = new Gateways();

    /** Binary, so that clients send it in base64 and keep its bytes as they are. */
    private static final byte[] PDF =
            "%PDF-1.4\n%\u00e2\u00e3\u00cf\u00d3\n%%EOF\n".getBytes(StandardCharsets.ISO_8859_1);

    private InProcessGateway harness;

    @BeforeEach
    void start() throws Exception {
        harness = gateways.inProcess();
    }

    @AfterEach
    void checkTheContract() throws Exception {
        harness.assertContract();
    }

    @Test
    void jakartaMailSendsHtmlWithAnAttachmentToToCcAndBcc() throws Exception {
        MimeMessage message = new MimeMessage(session(false));
        message.setFrom(new InternetAddress("sandbox@example.com", "Sandbox Shop"));
        message.setRecipient(Message.RecipientType.TO, new InternetAddress("to@example.net"));
        message.setRecipient(Message.RecipientType.CC, new InternetAddress("cc@example.net"));
        message.setRecipient(Message.RecipientType.BCC, new InternetAddress("bcc@example.net"));
        message.setSubject("Votre facture n°42", "UTF-8");
        message.setHeader("X-Tags", "invoice, billing");
        MimeMultipart mixed = new MimeMultipart("mixed");
        MimeBodyPart html = new MimeBodyPart();
        html.setContent("<h1>Facture</h1><p>Merci !</p>", "text/html; charset=UTF-8");
        mixed.addBodyPart(html);
        MimeBodyPart pdf = new MimeBodyPart();
        pdf.setDataHandler(new DataHandler(new ByteArrayDataSource(PDF, "application/pdf")));
        pdf.setFileName("facture-42.pdf");
        mixed.addBodyPart(pdf);
        message.setContent(mixed);

        Transport.send(message, InProcessGateway.USER, InProcessGateway.PASSWORD);

        List<Inbox.Email> emails = harness.sandbox.inbox().emails();
        assertThat(emails)
                .extracting(Inbox.Email::recipient)
                .containsExactlyInAnyOrder("to@example.net", "cc@example.net", "bcc@example.net");
        JsonNode request = emails.get(0).request();
        assertThat(request.at("/sender/id").asText()).isEqualTo("snd-sandbox");
        assertThat(request.at("/sender/name").asText()).isEqualTo("Sandbox Shop");
        assertThat(request.at("/content/subject").asText()).isEqualTo("Votre facture n°42");
        assertThat(request.at("/content/html").asText()).isEqualTo("<h1>Facture</h1><p>Merci !</p>");
        assertThat(request.at("/tags").toString()).isEqualTo("[\"invoice\",\"billing\"]");
        assertThat(request.at("/attachment/0/filename").asText()).isEqualTo("facture-42.pdf");
        assertThat(Base64.getDecoder()
                        .decode(request.at("/attachment/0/content").asText()))
                .isEqualTo(PDF);
        assertThat(harness.counter("gateway.recipients", "outcome", "queued")).isEqualTo(3);
    }

    @Test
    void jakartaMailSendsWithBdat() throws Exception {
        Session session = session(true);
        MimeMessage message = new MimeMessage(session);
        message.setFrom("sandbox@example.com");
        message.setRecipients(Message.RecipientType.TO, "chunked@example.net");
        message.setSubject("Chunked");
        message.setText("line\r\n".repeat(2000));
        Transport.send(message, InProcessGateway.USER, InProcessGateway.PASSWORD);
        assertThat(harness.sandbox
                        .inbox()
                        .emails()
                        .get(0)
                        .request()
                        .at("/content/text")
                        .asText())
                .isEqualTo("line\n".repeat(1999) + "line");
    }

    /** A recipient given twice (in any case) is one recipient: the API is asked once for it. */
    @Test
    void curlSendsToTwoRecipientsOnceEachThoughOneIsRepeated(@TempDir Path dir) throws Exception {
        Path mail = Files.writeString(
                dir.resolve("mail.eml"),
                "From: sandbox@example.com\r\nTo: one@example.net\r\nSubject: From curl\r\n\r\nHello from curl\r\n");
        ExternalClient.Result result = ExternalClient.curlSend(
                "smtp://127.0.0.1:" + harness.port(TlsMode.STARTTLS),
                InProcessGateway.USER + ":" + InProcessGateway.PASSWORD,
                "sandbox@example.com",
                mail,
                "one@example.net",
                "two@example.net",
                "ONE@example.net");
        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(harness.sandbox.inbox().emails())
                .extracting(Inbox.Email::subject)
                .containsOnly("From curl");
        assertThat(harness.sandbox.inbox().emails()).hasSize(2);
    }

    @Test
    void pythonSmtplibSendsAnAttachment() throws Exception {
        ExternalClient.Result result = ExternalClient.python(
                String.join(
                        "\n",
                        "import smtplib, ssl, sys",
                        "from email.message import EmailMessage",
                        "m = EmailMessage()",
                        "m['From'] = 'No Reply <noreply@example.com>'",
                        "m['To'] = 'a@example.net, b@example.net'",
                        "m['Subject'] = 'Rapport mensuel'",
                        "m['X-Email-Api-Type'] = 'marketing'",
                        "m.set_content('Bonjour,\\nle rapport est joint.\\n')",
                        "m.add_attachment(b'a,b\\n1,2\\n', maintype='text', subtype='csv', filename='rapport.csv')",
                        "with smtplib.SMTP('127.0.0.1', int(sys.argv[1]), timeout=30) as s:",
                        "    s.starttls(context=ssl._create_unverified_context())",
                        "    s.login(sys.argv[2], sys.argv[3])",
                        "    print(s.send_message(m))"),
                String.valueOf(harness.port(TlsMode.STARTTLS)),
                InProcessGateway.USER,
                InProcessGateway.PASSWORD);
        assertThat(result.exitCode()).as(result.output()).isZero();
        List<Inbox.Email> emails = harness.sandbox.inbox().emails();
        assertThat(emails)
                .extracting(Inbox.Email::recipient)
                .containsExactlyInAnyOrder("a@example.net", "b@example.net");
        JsonNode request = emails.get(0).request();
        assertThat(request.at("/sender/id").asText()).isEqualTo("snd-noreply");
        assertThat(request.at("/content/type").asText()).isEqualTo("marketing");
        assertThat(request.at("/attachment/0/type").asText()).isEqualTo("csv");
    }

    @Test
    void nodemailerSendsHtmlWithAnAttachment() throws Exception {
        Path nodemailer = NodeClients.module("nodemailer");
        ExternalClient.Result result = ExternalClient.run(List.of(
                "node",
                "-e",
                String.join(
                        "\n",
                        "const nodemailer = require(process.argv[1]);",
                        "const transport = nodemailer.createTransport({host: '127.0.0.1', port: Number(process.argv[2]),",
                        "  secure: true, auth: {user: process.argv[3], pass: process.argv[4]},",
                        "  tls: {rejectUnauthorized: false}});",
                        "transport.sendMail({from: '\"Sandbox\" <sandbox@example.com>', to: 'n1@example.net',",
                        "  cc: 'n2@example.net', bcc: 'n3@example.net', subject: 'Hello from Nodemailer',",
                        "  text: 'Plain version', html: '<p>HTML version</p>',",
                        "  attachments: [{filename: 'logo.png', content: Buffer.from("
                                + "'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',"
                                + " 'base64')}]})",
                        "  .then(info => { console.log(info.response); })",
                        "  .catch(error => { console.error(error); process.exit(1); });"),
                nodemailer.toString(),
                String.valueOf(harness.port(TlsMode.IMPLICIT)),
                InProcessGateway.USER,
                InProcessGateway.PASSWORD));
        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).startsWith("250 2.0.0 Ok: queued as ");
        List<Inbox.Email> emails = harness.sandbox.inbox().emails();
        assertThat(emails)
                .extracting(Inbox.Email::recipient)
                .containsExactlyInAnyOrder("n1@example.net", "n2@example.net", "n3@example.net");
        JsonNode request = emails.get(0).request();
        assertThat(request.at("/content/text").asText()).isEqualTo("Plain version");
        assertThat(request.at("/content/html").asText()).isEqualTo("<p>HTML version</p>");
        assertThat(request.at("/attachment/0/filename").asText()).isEqualTo("logo.png");
    }

    @Test
    void pipelinedMessagesInOneSession() throws Exception {
        try (LineClient client = harness.authenticatedClient()) {
            String message = "From: sandbox@example.com\r\nSubject: Pipelined %d\r\n\r\nBody %d\r\n.\r\n";
            client.send("MAIL FROM:<sandbox@example.com>\r\nRCPT TO:<p1@example.net>\r\nRCPT TO:<p2@example.net>\r\n"
                    + "DATA\r\n");
            assertThat(client.reply()).isEqualTo("250 2.1.0 Sender OK");
            assertThat(client.reply()).isEqualTo("250 2.1.5 Recipient OK");
            assertThat(client.reply()).isEqualTo("250 2.1.5 Recipient OK");
            assertThat(client.reply()).startsWith("354");
            String chunk = "From: sandbox@example.com\r\nSubject: Pipelined 2\r\n\r\nBody 2\r\n";
            client.send(String.format(message, 1, 1) + "MAIL FROM:<sandbox@example.com>\r\nRCPT TO:<p3@example.net>\r\n"
                    + "BDAT " + chunk.length() + " LAST\r\n" + chunk + "QUIT\r\n");
            assertThat(client.reply()).matches("250 2\\.0\\.0 Ok: queued as [0-9a-f-]{36} [0-9a-f-]{36}");
            assertThat(client.reply()).isEqualTo("250 2.1.0 Sender OK");
            assertThat(client.reply()).isEqualTo("250 2.1.5 Recipient OK");
            assertThat(client.reply()).matches("250 2\\.0\\.0 Ok: queued as [0-9a-f-]{36}");
            assertThat(client.reply()).isEqualTo("221 2.0.0 Bye");
        }
        assertThat(harness.sandbox.inbox().emails())
                .extracting(Inbox.Email::subject)
                .containsExactlyInAnyOrder("Pipelined 1", "Pipelined 1", "Pipelined 2");
    }

    private Session session(boolean chunking) {
        Properties props = new Properties();
        props.put("mail.smtp.host", "127.0.0.1");
        props.put("mail.smtp.port", String.valueOf(harness.port(TlsMode.STARTTLS)));
        props.put("mail.smtp.auth", "true");
        props.put("mail.smtp.starttls.enable", "true");
        props.put("mail.smtp.starttls.required", "true");
        props.put("mail.smtp.ssl.trust", "*");
        props.put("mail.smtp.ssl.checkserveridentity", "false");
        props.put("mail.smtp.timeout", "30000");
        if (chunking) {
            props.put("mail.smtp.chunksize", "4096");
        }
        return Session.getInstance(props);
    }
}
