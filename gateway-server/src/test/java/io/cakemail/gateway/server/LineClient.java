package io.cakemail.gateway.server;

import io.cakemail.gateway.testing.TrustAll;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A bare SMTP client over a blocking socket, for tests that must send exactly the bytes they choose: pipelined
 * groups, smuggling attempts, broken lines. Replies are read whole (all lines of a multi-line reply).
 */
final class LineClient implements AutoCloseable {

    private Socket socket;
    private BufferedReader in;
    private OutputStream out;

    private LineClient(Socket socket) throws IOException {
        attach(socket);
    }

    /** A plaintext connection (the STARTTLS listener). */
    static LineClient connect(int port) throws IOException {
        Socket socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(20_000);
        return new LineClient(socket);
    }

    /** A TLS connection from the first octet (the implicit TLS listener). */
    static LineClient connectTls(int port) throws IOException {
        SSLSocket socket = (SSLSocket) trustAll().getSocketFactory().createSocket("127.0.0.1", port);
        socket.setSoTimeout(20_000);
        socket.startHandshake();
        return new LineClient(socket);
    }

    /** A TLS connection to the implicit TLS listener, greeted (EHLO) and logged in with AUTH PLAIN. */
    static LineClient authenticated(int smtpsPort, String username, String password) throws IOException {
        LineClient client = connectTls(smtpsPort);
        client.reply();
        client.command("EHLO client.test");
        String reply = client.command("AUTH PLAIN " + InProcessGateway.plain(username, password));
        if (!reply.startsWith("235 ")) {
            client.close();
            throw new AssertionError("AUTH PLAIN refused: " + reply);
        }
        return client;
    }

    /** Upgrades this connection to TLS, after the server's 220 to STARTTLS. */
    void startTls() throws IOException {
        SSLSocket tls =
                (SSLSocket) trustAll().getSocketFactory().createSocket(socket, "127.0.0.1", socket.getPort(), true);
        tls.setUseClientMode(true);
        tls.startHandshake();
        attach(tls);
    }

    String negotiatedProtocol() {
        return ((SSLSocket) socket).getSession().getProtocol();
    }

    void send(String text) throws IOException {
        send(text.getBytes(StandardCharsets.UTF_8));
    }

    void send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** The next reply, its lines joined with {@code \n}, or {@code null} at end of stream. */
    String reply() throws IOException {
        StringBuilder reply = new StringBuilder();
        while (true) {
            String line = in.readLine();
            if (line == null) {
                return reply.length() == 0 ? null : reply.toString();
            }
            if (reply.length() > 0) {
                reply.append('\n');
            }
            reply.append(line);
            if (line.length() < 4 || line.charAt(3) != '-') {
                return reply.toString();
            }
        }
    }

    /** Sends {@code command} and returns its reply. */
    String command(String command) throws IOException {
        send(command + "\r\n");
        return reply();
    }

    /** Reads until the server closes, returning whatever came; fails the test if the server never closes. */
    String readToEnd() throws IOException {
        StringBuilder rest = new StringBuilder();
        for (String line; (line = in.readLine()) != null; ) {
            rest.append(line).append('\n');
        }
        return rest.toString();
    }

    private void attach(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        this.out = socket.getOutputStream();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    static SSLContext trustAll() {
        return TrustAll.sslContext();
    }
}
