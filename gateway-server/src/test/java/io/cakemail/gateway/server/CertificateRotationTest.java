package io.cakemail.gateway.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.cakemail.gateway.server.listen.GatewayServer;
import io.cakemail.gateway.server.tls.ServerTls;
import io.cakemail.gateway.testkit.Await;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import javax.net.ssl.SSLSocket;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A certificate renewed the way cert-manager and the kubelet do it: a new timestamped directory, then the
 * {@code ..data} symlink swapped to it atomically, the files read through {@code tls.crt -> ..data/tls.crt}. New
 * handshakes (implicit TLS and STARTTLS) present the new certificate, an open session carries on, and a pair that
 * does not match is refused while the previous one stays.
 */
class CertificateRotationTest {

    @RegisterExtension
    final Gateways gateways = new Gateways();

    @Test
    void aSwappedSecretIsServedToNewHandshakesWithoutDroppingOpenSessions(@TempDir Path dir) throws Exception {
        ServerTls.SelfSigned first = ServerTls.selfSigned("first.example.org"); // EC, written as PKCS#8
        mount(dir, "..2026_11_27_01", ServerTlsTest.pem(first.certificate()), pkcs8(first.keyPair()));
        Files.createSymbolicLink(dir.resolve("tls.crt"), Path.of("..data/tls.crt"));
        Files.createSymbolicLink(dir.resolve("tls.key"), Path.of("..data/tls.key"));
        ScriptedGateway gateway = gateways.scripted(ScriptedGateway.spec()
                .immediate()
                .with("GATEWAY_TLS_CERT", dir.resolve("tls.crt").toString())
                .with("GATEWAY_TLS_KEY", dir.resolve("tls.key").toString())
                .with("GATEWAY_TLS_RELOAD_INTERVAL", "100ms"));
        GatewayServer server = gateway.server;
        SimpleMeterRegistry registry = gateway.registry;
        try (LineClient open = LineClient.connectTls(server.smtpsPort())) {
            assertThat(servedImplicitly(server)).isEqualTo(first.certificate());
            assertThat(servedAfterStartTls(server)).isEqualTo(first.certificate());
            open.reply();
            assertThat(open.command("EHLO client.test")).startsWith("250-");

            KeyPair rsa = rsaKeyPair();
            X509Certificate second = rsaCertificate("second.example.org", rsa);
            mount(dir, "..2026_11_27_02", ServerTlsTest.pem(second), ServerTlsTest.pem(rsa)); // PKCS#1
            assertThat(Files.readString(dir.resolve("tls.key"))).startsWith("-----BEGIN RSA PRIVATE KEY-----");
            awaitServed(server, second);
            assertThat(servedAfterStartTls(server)).isEqualTo(second);
            assertThat(reloads(registry, "success")).isEqualTo(1);
            double expiry = registry.get("smtp.tls.certificate.expiry").gauge().value();
            assertThat(expiry)
                    .isCloseTo(
                            Duration.between(Instant.now(), second.getNotAfter().toInstant())
                                    .toSeconds(),
                            org.assertj.core.data.Offset.offset(60.0));
            assertThat(server.certificateNotAfter())
                    .isEqualTo(second.getNotAfter().toInstant());
            assertThat(open.command("NOOP"))
                    .as("the session from before the swap")
                    .startsWith("250 ");

            X509Certificate stray = ServerTls.selfSigned("stray.example.org").certificate();
            mount(dir, "..2026_11_27_03", ServerTlsTest.pem(stray), pkcs8(first.keyPair()));
            Await.until("the failed reload counted", Duration.ofSeconds(10), () -> reloads(registry, "failure") > 0);
            assertThat(reloads(registry, "failure")).isEqualTo(1);
            assertThat(servedImplicitly(server)).as("the previous pair stays").isEqualTo(second);
            assertThat(open.command("NOOP")).startsWith("250 ");
        }
    }

    /** Writes a pair into a new directory and points {@code ..data} at it in one atomic rename, as the kubelet does. */
    private static void mount(Path dir, String version, String certPem, String keyPem) throws Exception {
        Path data = Files.createDirectory(dir.resolve(version));
        Files.writeString(data.resolve("tls.crt"), certPem);
        Files.writeString(data.resolve("tls.key"), keyPem);
        Path link = Files.createSymbolicLink(dir.resolve("..data_tmp"), Path.of(version));
        Files.move(link, dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static void awaitServed(GatewayServer server, X509Certificate expected) {
        Await.until(
                "the new certificate served",
                Duration.ofSeconds(10),
                () -> servedImplicitly(server).equals(expected));
    }

    private static X509Certificate servedImplicitly(GatewayServer server) throws Exception {
        try (SSLSocket socket =
                (SSLSocket) LineClient.trustAll().getSocketFactory().createSocket("127.0.0.1", server.smtpsPort())) {
            socket.startHandshake();
            return (X509Certificate) socket.getSession().getPeerCertificates()[0];
        }
    }

    private static X509Certificate servedAfterStartTls(GatewayServer server) throws Exception {
        try (Socket plain = new Socket("127.0.0.1", server.smtpPort())) {
            plain.setSoTimeout(10_000);
            BufferedReader in =
                    new BufferedReader(new InputStreamReader(plain.getInputStream(), StandardCharsets.US_ASCII));
            OutputStream out = plain.getOutputStream();
            assertThat(in.readLine()).startsWith("220 ");
            out.write("STARTTLS\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(in.readLine()).startsWith("220 ");
            try (SSLSocket tls = (SSLSocket)
                    LineClient.trustAll().getSocketFactory().createSocket(plain, "127.0.0.1", plain.getPort(), true)) {
                tls.setUseClientMode(true);
                tls.startHandshake();
                return (X509Certificate) tls.getSession().getPeerCertificates()[0];
            }
        }
    }

    private static double reloads(SimpleMeterRegistry registry, String outcome) {
        return registry.get("smtp.tls.reloads")
                .tag("outcome", outcome)
                .counter()
                .count();
    }

    private static String pkcs8(KeyPair pair) throws Exception {
        return ServerTlsTest.pem(new JcaPKCS8Generator(pair.getPrivate(), null));
    }

    private static KeyPair rsaKeyPair() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        return generator.generateKeyPair();
    }

    private static X509Certificate rsaCertificate(String hostname, KeyPair pair) throws Exception {
        X500Name subject = new X500Name("CN=" + hostname);
        Instant now = Instant.now();
        return new JcaX509CertificateConverter()
                .getCertificate(new JcaX509v3CertificateBuilder(
                                subject,
                                BigInteger.valueOf(now.toEpochMilli()),
                                Date.from(now.minus(Duration.ofHours(1))),
                                Date.from(now.plus(Duration.ofDays(90))),
                                subject,
                                pair.getPublic())
                        .build(new JcaContentSignerBuilder("SHA256withRSA").build(pair.getPrivate())));
    }
}
