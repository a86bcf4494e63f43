package io.cakemail.gateway.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.cakemail.gateway.server.listen.GatewayServer;
import io.cakemail.gateway.testing.RecordingReceiver;
import io.cakemail.gateway.testkit.Await;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The PROXY protocol over raw sockets: v1 and v2 headers give the client's address to the session, the greeting
 * waits for the header, implicit TLS starts after it, and a connection from an untrusted peer, without a header,
 * with a malformed or partial one is closed without a word and counted.
 */
class ProxyProtocolTest {

    @RegisterExtension
    final Gateways gateways = new Gateways();

    private SimpleMeterRegistry registry;
    private RecordingReceiver receiver;
    private GatewayServer server;

    private GatewayServer start(String trusted) throws Exception {
        ScriptedGateway gateway = gateways.scripted(ScriptedGateway.spec()
                .immediate()
                .with("GATEWAY_PROXY_PROTOCOL", "on")
                .with("GATEWAY_PROXY_TRUSTED_CIDRS", trusted)
                .with("GATEWAY_PROXY_TIMEOUT", "1s")
                .smtp(smtp -> smtp.authRequired(false)));
        registry = gateway.registry;
        receiver = gateway.receiver;
        server = gateway.server;
        return server;
    }

    @Test
    void aV1HeaderGivesTheSessionTheClientsAddress() throws Exception {
        start("127.0.0.0/8");
        try (Socket socket = connect(server.smtpPort())) {
            write(socket, "PROXY TCP4 203.0.113.7 127.0.0.1 40000 2587\r\n");
            assertThat(readLine(socket)).startsWith("220 gateway.test ESMTP");
            sendMessage(socket);
        }
        assertThat(receiver.messages()).hasSize(1);
        assertThat(receiver.messages().get(0).envelope().clientAddress())
                .isEqualTo(new InetSocketAddress("203.0.113.7", 40000));
    }

    @Test
    void aV2HeaderBeforeImplicitTlsGivesTheSessionAnIpv6Address() throws Exception {
        start("127.0.0.1/32");
        try (Socket plain = connect(server.smtpsPort())) {
            plain.getOutputStream()
                    .write(ProxyHeaders.v2(new HAProxyMessage(
                            HAProxyProtocolVersion.V2,
                            HAProxyCommand.PROXY,
                            HAProxyProxiedProtocol.TCP6,
                            "2001:db8::7",
                            "2001:db8::1",
                            51000,
                            465)));
            try (SSLSocket tls = (SSLSocket)
                    LineClient.trustAll().getSocketFactory().createSocket(plain, "127.0.0.1", plain.getPort(), true)) {
                tls.setUseClientMode(true);
                tls.startHandshake();
                assertThat(readLine(tls)).startsWith("220 ");
                sendMessage(tls);
            }
        }
        assertThat(receiver.messages().get(0).envelope().clientAddress())
                .isEqualTo(new InetSocketAddress("2001:db8::7", 51000));
    }

    @Test
    void aV2LocalHeaderKeepsTheSocketsAddress() throws Exception {
        start("127.0.0.0/8");
        try (Socket socket = connect(server.smtpPort())) {
            socket.getOutputStream()
                    .write(ProxyHeaders.v2(new HAProxyMessage(
                            HAProxyProtocolVersion.V2,
                            HAProxyCommand.LOCAL,
                            HAProxyProxiedProtocol.UNKNOWN,
                            null,
                            null,
                            0,
                            0)));
            assertThat(readLine(socket)).startsWith("220 ");
            sendMessage(socket);
        }
        assertThat(((InetSocketAddress) receiver.messages().get(0).envelope().clientAddress()).getAddress())
                .isEqualTo(java.net.InetAddress.getLoopbackAddress());
    }

    /** A client of the balancer on a local socket has a path, not an address: the socket's own address stands. */
    @Test
    void aV2HeaderOfALocalSocketClientKeepsTheSocketsAddress() throws Exception {
        start("127.0.0.0/8");
        try (Socket socket = connect(server.smtpPort())) {
            socket.getOutputStream()
                    .write(ProxyHeaders.v2(new HAProxyMessage(
                            HAProxyProtocolVersion.V2,
                            HAProxyCommand.PROXY,
                            HAProxyProxiedProtocol.UNIX_STREAM,
                            "/run/client.sock",
                            "/run/gateway.sock",
                            0,
                            0)));
            assertThat(readLine(socket)).startsWith("220 ");
            sendMessage(socket);
        }
        assertThat(((InetSocketAddress) receiver.messages().get(0).envelope().clientAddress()).getAddress())
                .isEqualTo(java.net.InetAddress.getLoopbackAddress());
    }

    @Test
    void noHeaderWithinTheTimeoutClosesWithoutAGreeting() throws Exception {
        start("127.0.0.0/8");
        try (Socket socket = connect(server.smtpPort())) {
            assertThat(readToEnd(socket)).isEmpty();
        }
        awaitRejected("timeout", 1);
    }

    @Test
    void aPartialHeaderTimesOut() throws Exception {
        start("127.0.0.0/8");
        try (Socket socket = connect(server.smtpPort())) {
            write(socket, "PROXY TCP4 203.0.113.7");
            assertThat(readToEnd(socket)).isEmpty();
        }
        awaitRejected("timeout", 1);
    }

    @Test
    void smtpInsteadOfAHeaderAndMalformedHeadersAreClosedAtOnce() throws Exception {
        start("127.0.0.0/8");
        for (String start : List.of(
                "EHLO client.test\r\n",
                "PROXY TCP4 999.0.113.7 127.0.0.1 40000 2587\r\n",
                "PROXY TCP4 203.0.113.7 127.0.0.1 notaport 2587\r\n",
                "PROXY " + "A".repeat(200) + "\r\n")) {
            try (Socket socket = connect(server.smtpPort())) {
                write(socket, start);
                assertThat(readToEnd(socket)).as(start).isEmpty();
            }
        }
        awaitRejected("invalid", 4);
        assertThat(rejected("timeout")).isZero();
    }

    @Test
    void aPeerOutsideTheTrustedBlocksIsClosedAtOnce() throws Exception {
        start("10.0.0.0/8, fd00::/8");
        try (Socket socket = connect(server.smtpPort())) {
            write(socket, "PROXY TCP4 203.0.113.7 127.0.0.1 40000 2587\r\n");
            assertThat(readToEnd(socket)).isEmpty();
        }
        awaitRejected("untrusted", 1);
        assertThat(receiver.messages()).isEmpty();
    }

    /** The rejections counted for {@code reason}. */
    private double rejected(String reason) {
        return registry.get("smtp.proxy.rejected")
                .tag("reason", reason)
                .counter()
                .count();
    }

    /** Waits (5 s at most) for {@code expected} rejections: one may be counted a moment after the close. */
    private void awaitRejected(String reason, double expected) {
        Await.until(expected + " rejected: " + reason, Duration.ofSeconds(5), () -> rejected(reason) >= expected);
        assertThat(rejected(reason)).as(reason).isEqualTo(expected);
    }

    private static void sendMessage(Socket socket) throws IOException {
        write(socket, "EHLO client.test\r\n");
        String line;
        do {
            line = readLine(socket);
        } while (line.startsWith("250-"));
        write(socket, "MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.com>\r\nDATA\r\n");
        assertThat(readLine(socket)).startsWith("250");
        assertThat(readLine(socket)).startsWith("250");
        assertThat(readLine(socket)).startsWith("354");
        write(socket, "Subject: proxied\r\n\r\nHello\r\n.\r\nQUIT\r\n");
        assertThat(readLine(socket)).startsWith("250");
        assertThat(readLine(socket)).startsWith("221");
    }

    private static Socket connect(int port) throws IOException {
        Socket socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(10_000);
        return socket;
    }

    private static void write(Socket socket, String text) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(text.getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /** One line, read an octet at a time so that nothing after it is consumed. */
    private static String readLine(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        StringBuilder line = new StringBuilder();
        for (int b; (b = in.read()) != -1 && b != '\n'; ) {
            if (b != '\r') {
                line.append((char) b);
            }
        }
        return line.toString();
    }

    /** Whatever arrives until the server closes (within the socket's timeout). */
    private static String readToEnd(Socket socket) throws IOException {
        List<Byte> bytes = new ArrayList<>();
        InputStream in = socket.getInputStream();
        try {
            for (int b; (b = in.read()) != -1; ) {
                bytes.add((byte) b);
            }
        } catch (java.net.SocketException reset) {
            // a close with unread input resets the connection: it is closed all the same
        }
        byte[] array = new byte[bytes.size()];
        for (int i = 0; i < array.length; i++) {
            array[i] = bytes.get(i);
        }
        return new String(array, StandardCharsets.US_ASCII);
    }
}
