package io.cakemail.gateway.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.cakemail.gateway.server.tls.ServerTls;
import io.cakemail.gateway.testkit.ForkedJvm;
import io.cakemail.sandbox.CakemailSandbox;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code java -jar smtp-gateway.jar} as an operator meets it: a start that cannot work is one line naming the variable
 * and its value, exit code 2, no stack trace; arguments never start a gateway.
 */
class GatewayMainTest {

    @RegisterExtension
    final Gateways gateways = new Gateways();

    @Test
    void anUnknownLogLevelIsRefused() throws Exception {
        assertRefused(
                "GATEWAY_LOG_LEVEL: 'verbose' (expected: one of trace, debug, info, warn, error)",
                "GATEWAY_LOG_LEVEL",
                "verbose");
    }

    @Test
    void aPortInUseIsNamed() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            assertRefused(
                    "GATEWAY_SMTP_PORT: " + port + " cannot be bound on 127.0.0.1",
                    "GATEWAY_SMTP_PORT",
                    String.valueOf(port));
        }
    }

    @Test
    void aPemWithoutAKeyIsNamed(@TempDir Path dir) throws Exception {
        Path cert = dir.resolve("cert.pem");
        Files.writeString(
                cert, ServerTlsTest.pem(ServerTls.selfSigned("mail.example.org").certificate()));
        assertRefused(
                "GATEWAY_TLS_KEY: '" + cert + "' holds no unencrypted private key",
                "GATEWAY_TLS_CERT",
                cert.toString(),
                "GATEWAY_TLS_KEY",
                cert.toString());
    }

    @Test
    void aKeyThatIsNotTheCertificatesIsRefused(@TempDir Path dir) throws Exception {
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        Files.writeString(
                cert, ServerTlsTest.pem(ServerTls.selfSigned("mail.example.org").certificate()));
        Files.writeString(
                key,
                ServerTlsTest.pem(new JcaPKCS8Generator(
                        ServerTls.selfSigned("other.example.org").keyPair().getPrivate(), null)));
        assertRefused(
                "GATEWAY_TLS_KEY: '" + key + "' is not the key of the certificate in GATEWAY_TLS_CERT",
                "GATEWAY_TLS_CERT",
                cert.toString(),
                "GATEWAY_TLS_KEY",
                key.toString());
    }

    @Test
    void aDrainShorterThanTheApiDeadlineIsRefused() throws Exception {
        assertRefused(
                "GATEWAY_DRAIN_TIMEOUT: 30s (expected: at least" + " GATEWAY_API_DEADLINE, 45s",
                "GATEWAY_DRAIN_TIMEOUT",
                "30s");
    }

    @Test
    void helpPrintsTheSettingsAndAnyOtherArgumentIsRefused() throws Exception {
        ForkedJvm.Result help = ForkedGateway.runToEnd(List.of("--help"));
        assertThat(help.exitCode()).isZero();
        assertThat(help.output())
                .contains("Usage: java -jar smtp-gateway.jar", "GATEWAY_SMTP_PORT", "GATEWAY_SANDBOX")
                .doesNotContain("SMTP listening");
        ForkedJvm.Result unknown = ForkedGateway.runToEnd(List.of("--port", "25"));
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.output()).startsWith("Unknown arguments: --port 25").doesNotContain("SMTP listening");
    }

    @Test
    void anOpenFilesLimitBelowTheConnectionsIsWarnedAbout() throws Exception {
        CakemailSandbox sandbox = gateways.sandbox();
        ForkedGateway gateway = gateways.forked(
                List.of("prlimit", "--nofile=900:900", "--"), List.of(), sandbox, "GATEWAY_MAX_CONNECTIONS", "1000");
        assertThat(gateway.output())
                .contains("The open-files limit is 900, below GATEWAY_MAX_CONNECTIONS (1000)" + " plus 256");
        assertThat(gateway.terminate(Duration.ofSeconds(20))).isTrue();
    }

    /** The gateway with {@code settings} ({@code NAME, value} pairs) exits 2 with {@code line}, no stack trace. */
    private static void assertRefused(String line, String... settings) throws Exception {
        ForkedJvm.Result result = ForkedGateway.runToEnd(List.of(), settings);
        assertThat(result.exitCode()).as(result.output()).isEqualTo(2);
        assertThat(result.output())
                .contains("Cannot start the gateway: " + line)
                .doesNotContain("Exception", "\tat ");
    }
}
