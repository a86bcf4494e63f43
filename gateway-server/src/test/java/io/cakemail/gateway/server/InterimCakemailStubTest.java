package io.cakemail.gateway.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.cakemail.gateway.core.submission.TransformConfig;
import io.netty.buffer.PooledByteBufAllocator;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The runnable jar's receiver until the API client lands: precise refusals, and never a 250. */
class InterimCakemailStubTest {

    private static final String SEND = String.join("\n",
            "import smtplib, ssl, sys",
            "from email.message import EmailMessage",
            "s = smtplib.SMTP_SSL('127.0.0.1', int(sys.argv[1]), context=ssl._create_unverified_context(), timeout=30)",
            "s.login('someone@example.com', 'anything')",
            "m = EmailMessage()",
            "m['From'] = 'a@example.com'",
            "m['To'] = 'b@example.com'",
            "m['Subject'] = 'Report'",
            "m.set_content('See attached.')",
            "m.add_attachment(b'%PDF-1.4 or PK', maintype='application', subtype=sys.argv[2], filename=sys.argv[3])",
            "try:",
            "    s.send_message(m)",
            "    print('accepted')",
            "except smtplib.SMTPDataError as e:",
            "    print(e.smtp_code, e.smtp_error.decode())");

    @Test
    void refusesWhatTheApiCannotCarryAndDefersEverythingElse() throws Exception {
        InterimCakemailStub stub = new InterimCakemailStub(TransformConfig.DEFAULT, PooledByteBufAllocator.DEFAULT);
        GatewayConfig config = new GatewayConfig("127.0.0.1", 0, 0, 0, null, null, Duration.ofSeconds(10),
                URI.create("http://127.0.0.1:1"), false, 10, 1, GatewayHarness.SMTP, TransformConfig.DEFAULT);
        try (GatewayServer server = GatewayServer.start(config, stub, stub)) {
            String port = String.valueOf(server.smtpsPort());
            assertThat(ExternalClient.python(SEND, port, "zip", "archive.zip").output().strip()).isEqualTo(
                    "554 5.6.1 attachment 'archive.zip' (application/zip) cannot be sent through the Cakemail API;"
                    + " supported: pdf, png, jpeg, csv, doc, docx, xls, xlsx, ics");
            assertThat(ExternalClient.python(SEND, port, "pdf", "report.pdf").output().strip())
                    .startsWith("451 4.3.0 This gateway is not connected to the Cakemail API yet");
        }
    }
}
