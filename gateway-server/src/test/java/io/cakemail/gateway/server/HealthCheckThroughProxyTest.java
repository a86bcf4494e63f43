package io.cakemail.gateway.server;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import io.cakemail.gateway.testkit.Await;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The load balancer's health check as the production values configure it: an AWS NLB with proxy protocol v2 on its
 * target group sends the v2 header on health checks too, then the HTTP request to the admin port. The admin port
 * answers it, and the kubelet's and Prometheus's plain requests, once the PROXY protocol is on; a header from a peer
 * outside the trusted blocks, or a malformed one, closes the connection and is counted.
 */
class HealthCheckThroughProxyTest {

    /** What the NLB's health checker sends after its header (its user agent, the target's address as the host). */
    private static final String NLB_HEALTH_CHECK = "GET /health/ready HTTP/1.1\r\nHost: 10.0.3.4:8080\r\n"
            + "Connection: close\r\nUser-Agent: ELB-HealthChecker/2.0\r\nAccept-Encoding: gzip, compressed\r\n\r\n";

    private static final byte[] NLB_HEADER = ProxyHeaders.v2(new HAProxyMessage(
            HAProxyProtocolVersion.V2,
            HAProxyCommand.PROXY,
            HAProxyProxiedProtocol.TCP4,
            "10.0.1.23",
            "10.0.3.4",
            31244,
            8080));

    @RegisterExtension
    final Gateways gateways = new Gateways();

    @Test
    void theBalancersHealthCheckWithItsProxyHeaderIsAnsweredAsAPlainOneIs() throws Exception {
        InProcessGateway gateway = behindTheBalancer("127.0.0.1/32");
        int port = gateway.gateway.httpPort();
        assertThat(exchange(port, NLB_HEADER, NLB_HEALTH_CHECK)).startsWith("HTTP/1.1 200 OK");
        assertThat(exchange(port, new byte[0], NLB_HEALTH_CHECK))
                .as("the kubelet")
                .startsWith("HTTP/1.1 200 OK");
        byte[] local = ProxyHeaders.v2(new HAProxyMessage(
                HAProxyProtocolVersion.V2, HAProxyCommand.LOCAL, HAProxyProxiedProtocol.UNKNOWN, null, null, 0, 0));
        assertThat(exchange(port, local, NLB_HEALTH_CHECK)).as("a LOCAL header").startsWith("HTTP/1.1 200 OK");
        byte[] v1 = "PROXY TCP4 10.0.1.23 10.0.3.4 31244 8080\r\n".getBytes(US_ASCII);
        assertThat(exchange(port, v1, "GET /metrics HTTP/1.1\r\nHost: pod\r\nConnection: close\r\n\r\n"))
                .startsWith("HTTP/1.1 200 OK")
                .contains("smtp_proxy_rejected_total");
    }

    @Test
    void aHeaderSentAnOctetAtATimeIsReadWhole() throws Exception {
        int port = behindTheBalancer("127.0.0.1/32").gateway.httpPort();
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            socket.setTcpNoDelay(true);
            OutputStream out = socket.getOutputStream();
            for (byte octet : NLB_HEADER) {
                out.write(octet);
                out.flush();
            }
            out.write(NLB_HEALTH_CHECK.getBytes(US_ASCII));
            out.flush();
            assertThat(readToEnd(socket.getInputStream())).startsWith("HTTP/1.1 200 OK");
        }
    }

    @Test
    void aHeaderFromOutsideTheTrustedBlocksOrAMalformedOneClosesTheConnectionAndIsCounted() throws Exception {
        InProcessGateway gateway = behindTheBalancer("192.0.2.0/24");
        int port = gateway.gateway.httpPort();
        assertThat(exchange(port, NLB_HEADER, NLB_HEALTH_CHECK)).isEmpty();
        assertThat(gateway.counter("smtp.proxy.rejected", "reason", "untrusted"))
                .isEqualTo(1);
        assertThat(exchange(port, new byte[0], NLB_HEALTH_CHECK))
                .as("a plain request from anywhere, as before")
                .startsWith("HTTP/1.1 200 OK");

        InProcessGateway trusting = behindTheBalancer("127.0.0.1/32");
        byte[] malformed = NLB_HEADER.clone();
        malformed[12] = 0x31; // version 3
        assertThat(exchange(trusting.gateway.httpPort(), malformed, NLB_HEALTH_CHECK))
                .isEmpty();
        Await.until( // Netty's decoder closes the connection before it reports the header it could not read
                "the malformed header counted",
                Duration.ofSeconds(5),
                () -> trusting.counter("smtp.proxy.rejected", "reason", "invalid") == 1);
    }

    private InProcessGateway behindTheBalancer(String trusted) throws Exception {
        return gateways.inProcess("GATEWAY_PROXY_PROTOCOL", "on", "GATEWAY_PROXY_TRUSTED_CIDRS", trusted);
    }

    /** Sends {@code header} then {@code request} on a new connection; everything the port answers until it closes. */
    private static String exchange(int port, byte[] header, String request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(header);
            out.write(request.getBytes(US_ASCII));
            out.flush();
            return readToEnd(socket.getInputStream());
        }
    }

    private static String readToEnd(InputStream in) throws IOException {
        ByteArrayOutputStream read = new ByteArrayOutputStream();
        try {
            in.transferTo(read);
        } catch (SocketException reset) {
            // closed with the request unread: a reset, which is a close all the same
        }
        return read.toString(US_ASCII);
    }
}
