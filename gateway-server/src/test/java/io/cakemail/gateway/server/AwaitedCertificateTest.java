package io.cakemail.gateway.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.cakemail.gateway.server.tls.ServerTls;
import io.cakemail.gateway.testkit.Await;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import javax.net.ssl.SSLSocket;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pod whose certificate is not issued yet: the chart mounts the Secret as optional, so the files are not there at
 * start. The gateway starts anyway, serves a self-signed certificate, says why it is not ready, and becomes ready by
 * itself once the files appear, as a Secret written by cert-manager makes them appear.
 */
class AwaitedCertificateTest {

    @RegisterExtension
    final Gateways gateways = new Gateways();

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void aCertificateNotThereYetIsAwaitedNotReadyThenServed(@TempDir Path dir) throws Exception {
        Path cert = dir.resolve("tls.crt");
        Path key = dir.resolve("tls.key");
        InProcessGateway gateway = gateways.inProcess(
                "GATEWAY_TLS_CERT", cert.toString(),
                "GATEWAY_TLS_KEY", key.toString(),
                "GATEWAY_TLS_RELOAD_INTERVAL", "100ms");

        assertThat(ready(gateway)).isEqualTo("503 {\"status\":\"WAITING_FOR_CERTIFICATE\"}");
        assertThat(gateway.counter("smtp.tls.reloads", "outcome", "failure")).isZero();
        assertThat(gateway.registry.get("smtp.tls.certificate.waiting").gauge().value())
                .isEqualTo(1);
        assertThat(served(gateway).getSubjectX500Principal().getName()).isEqualTo("CN=gateway.test");
        try (LineClient client = gateway.authenticatedClient()) {
            assertThat(client.command("NOOP"))
                    .as("self-signed meanwhile, for whoever trusts it")
                    .startsWith("250");
        }

        ServerTls.SelfSigned issued = ServerTls.selfSigned("smtp.example.org");
        Files.writeString(
                key, ServerTlsTest.pem(new JcaPKCS8Generator(issued.keyPair().getPrivate(), null)));
        Files.writeString(cert, ServerTlsTest.pem(issued.certificate()));
        String ready = Await.value(
                "ready once the certificate is there",
                Duration.ofSeconds(10),
                () -> ready(gateway),
                answer -> answer.startsWith("200"));
        assertThat(ready).isEqualTo("200 {\"status\":\"UP\"}");
        assertThat(served(gateway)).isEqualTo(issued.certificate());
        assertThat(gateway.registry.get("smtp.tls.certificate.waiting").gauge().value())
                .isZero();
        assertThat(gateway.counter("smtp.tls.reloads", "outcome", "success")).isEqualTo(1);
    }

    private String ready(InProcessGateway gateway) throws Exception {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.gateway.httpPort() + "/health/ready"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        return response.statusCode() + " " + response.body();
    }

    private static X509Certificate served(InProcessGateway gateway) throws Exception {
        try (SSLSocket socket = (SSLSocket) LineClient.trustAll()
                .getSocketFactory()
                .createSocket("127.0.0.1", gateway.gateway.server().smtpsPort())) {
            socket.startHandshake();
            return (X509Certificate) socket.getSession().getPeerCertificates()[0];
        }
    }
}
