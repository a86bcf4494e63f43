package io.cakemail.gateway.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cakemail.gateway.server.listen.GatewayServer;
import io.cakemail.gateway.server.tls.ServerTls;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class ServerTlsTest {

    @RegisterExtension
    final Gateways gateways = new Gateways();

    @Test
    void servesTheConfiguredPemCertificate(@TempDir Path dir) throws Exception {
        ServerTls.SelfSigned pair = ServerTls.selfSigned("mail.example.org");
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        Files.writeString(cert, pem(pair.certificate()));
        Files.writeString(key, pem(new JcaPKCS8Generator(pair.keyPair().getPrivate(), null)));
        GatewayServer server = gateways.scripted(ScriptedGateway.spec()
                        .immediate()
                        .with("GATEWAY_TLS_CERT", cert.toString())
                        .with("GATEWAY_TLS_KEY", key.toString())
                        .with("GATEWAY_MAX_CONNECTIONS", "10")
                        .with("GATEWAY_IO_THREADS", "1"))
                .server;
        try (SSLSocket socket =
                (SSLSocket) LineClient.trustAll().getSocketFactory().createSocket("127.0.0.1", server.smtpsPort())) {
            socket.startHandshake();
            X509Certificate served = (X509Certificate) socket.getSession().getPeerCertificates()[0];
            assertThat(served).isEqualTo(pair.certificate());
            assertThat(served.getSubjectX500Principal().getName()).isEqualTo("CN=mail.example.org");
        }
    }

    @Test
    void readsPkcs8AndPkcs1RsaKeys(@TempDir Path dir) throws Exception {
        java.security.KeyPairGenerator generator = java.security.KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        java.security.KeyPair pair = generator.generateKeyPair();
        Path pkcs1 = dir.resolve("pkcs1.pem");
        Files.writeString(pkcs1, pem(pair));
        Path pkcs8 = dir.resolve("pkcs8.pem");
        Files.writeString(pkcs8, pem(new JcaPKCS8Generator(pair.getPrivate(), null)));
        assertThat(Files.readString(pkcs1)).startsWith("-----BEGIN RSA PRIVATE KEY-----");
        assertThat(Files.readString(pkcs8)).startsWith("-----BEGIN PRIVATE KEY-----");
        assertThat(ServerTls.privateKey(pkcs1, Files.readAllBytes(pkcs1))).isEqualTo(pair.getPrivate());
        assertThat(ServerTls.privateKey(pkcs8, Files.readAllBytes(pkcs8))).isEqualTo(pair.getPrivate());
    }

    @Test
    void aFileWithoutAKeyIsRefusedNamingTheVariable(@TempDir Path dir) throws Exception {
        Path empty = Files.writeString(dir.resolve("empty.pem"), "nothing here\n");
        assertThatThrownBy(() -> ServerTls.privateKey(empty, Files.readAllBytes(empty)))
                .hasMessageStartingWith("GATEWAY_TLS_KEY: ");
        assertThatThrownBy(() -> ServerTls.certificates(empty, Files.readAllBytes(empty)))
                .hasMessageStartingWith("GATEWAY_TLS_CERT: ");
    }

    @Test
    void refusesTls11() throws Exception {
        ScriptedGateway gateway = gateways.scripted();
        try (SSLSocket socket = (SSLSocket)
                LineClient.trustAll().getSocketFactory().createSocket("127.0.0.1", gateway.server.smtpsPort())) {
            socket.setEnabledProtocols(new String[] {"TLSv1.1"});
            assertThatThrownBy(socket::startHandshake).isInstanceOf(SSLException.class);
        }
    }

    static String pem(Object object) throws Exception {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(object);
        }
        return out.toString();
    }
}
