package io.cakemail.gateway.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Loopback ports nothing listens on, for servers a test starts in another process, which cannot take port 0. */
public final class FreePorts {

    private FreePorts() {}

    /** A port free now on 127.0.0.1 (another program may take it before the test does, which is rare). */
    public static int next() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
