package io.cakemail.gateway.testkit;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Debian's HAProxy ({@code .ci/run} installs it) in TCP mode, doing what a cloud TCP balancer does in front of the
 * gateway, for as long as the test holds it ({@link GatewayExtension#haproxy}, which stops it); a test that needs it
 * is skipped where it is not installed. Its configuration, log and runtime API socket are in the directory it is given;
 * {@link #stat} reads a server's row of its runtime statistics (what its health checks see).
 */
public final class HaproxyServer implements AutoCloseable {

    private static final Path HAPROXY = Path.of("/usr/sbin/haproxy");

    private final Path dir;
    private final Process process;

    private HaproxyServer(Path dir, Process process) {
        this.dir = dir;
        this.process = process;
    }

    /**
     * Starts HAProxy with {@code proxies} (frontend and backend sections) after TCP-mode defaults, its log in
     * {@code haproxy.log} in {@code dir}; returns once its runtime API answers.
     */
    static HaproxyServer start(Path dir, String... proxies) throws IOException {
        assumeTrue(Files.isExecutable(HAPROXY), "HAProxy is not installed (apt-get install haproxy)");
        List<String> lines = new ArrayList<>(List.of(
                "global",
                "  stats socket " + dir.resolve("haproxy.sock") + " level admin",
                "defaults",
                "  mode tcp",
                "  timeout connect 5s",
                "  timeout client 5m",
                "  timeout server 5m"));
        lines.addAll(List.of(proxies));
        lines.add("");
        Files.deleteIfExists(dir.resolve("haproxy.sock"));
        Path config = Files.writeString(dir.resolve("haproxy.cfg"), String.join("\n", lines));
        Process process = new ProcessBuilder(HAPROXY.toString(), "-db", "-f", config.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("haproxy.log").toFile())
                .start();
        HaproxyServer haproxy = new HaproxyServer(dir, process);
        Await.until("HAProxy's runtime API (" + dir.resolve("haproxy.log") + ")", Duration.ofSeconds(10), () -> {
            if (!process.isAlive()) {
                throw new AssertionError("HAProxy ended: " + haproxy.log());
            }
            try (SocketChannel channel = SocketChannel.open(haproxy.socket())) {
                return true;
            } catch (IOException notYet) {
                return false;
            }
        });
        return haproxy;
    }

    /** HAProxy's output so far, for an assertion's message. */
    public String log() throws IOException {
        return Files.readString(dir.resolve("haproxy.log"));
    }

    /**
     * The row of HAProxy's statistics (runtime API {@code show stat}) for {@code server} of {@code backend}, by column
     * name: {@code status} (UP, DOWN), {@code check_status} (L7OK), {@code check_code} (the HTTP status), ...
     */
    public Map<String, String> stat(String backend, String server) throws IOException {
        try (SocketChannel channel = SocketChannel.open(socket())) {
            channel.write(ByteBuffer.wrap("show stat\n".getBytes(StandardCharsets.US_ASCII)));
            List<String> lines = new String(Channels.newInputStream(channel).readAllBytes(), StandardCharsets.US_ASCII)
                    .lines()
                    .toList();
            String[] columns = lines.get(0).substring(2).split(",", -1);
            for (String line : lines.subList(1, lines.size())) {
                String[] fields = line.split(",", -1);
                if (fields.length > 1 && fields[0].equals(backend) && fields[1].equals(server)) {
                    Map<String, String> row = new HashMap<>();
                    for (int i = 0; i < Math.min(columns.length, fields.length); i++) {
                        row.put(columns[i], fields[i]);
                    }
                    return row;
                }
            }
            throw new AssertionError("no row for " + backend + "/" + server + ": " + lines);
        }
    }

    private UnixDomainSocketAddress socket() {
        return UnixDomainSocketAddress.of(dir.resolve("haproxy.sock"));
    }

    @Override
    public void close() {
        process.destroy();
    }
}
