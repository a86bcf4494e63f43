package io.cakemail.gateway.server;

import io.cakemail.gateway.testkit.ForkedJvm;
import io.cakemail.gateway.testkit.FreePorts;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The gateway in a process of its own ({@link GatewayMain} on the test class path) with JVM options of its own, such
 * as a small heap, and the production logging configuration; its API is a sandbox in the test's JVM, so the
 * gateway's memory is its own. Started by {@link Gateways#forked}.
 */
final class ForkedGateway implements AutoCloseable {

    private static final Duration START = Duration.ofSeconds(30);

    final int smtpPort;
    final int smtpsPort;
    private final ForkedJvm jvm;

    private ForkedGateway(ForkedJvm jvm, int smtpPort, int smtpsPort) {
        this.jvm = jvm;
        this.smtpPort = smtpPort;
        this.smtpsPort = smtpsPort;
    }

    /** Starts the gateway, its command run by {@code launcher} (such as {@code prlimit}), once it greets. */
    static ForkedGateway start(List<String> launcher, List<String> jvmOptions, URI api, String... settings)
            throws IOException {
        int smtpPort = FreePorts.next();
        int smtpsPort = FreePorts.next();
        Map<String, String> environment = environment(api, smtpPort, smtpsPort, settings);
        ForkedJvm jvm = ForkedJvm.start(command(launcher, jvmOptions, List.of(), environment), smtpPort, "220 ", START);
        return new ForkedGateway(jvm, smtpPort, smtpsPort);
    }

    /** Runs the gateway with {@code args} until it exits by itself (within a minute): its exit code and output. */
    static ForkedJvm.Result runToEnd(List<String> args, String... settings) throws IOException, InterruptedException {
        Map<String, String> environment =
                environment(URI.create("http://127.0.0.1:1"), FreePorts.next(), FreePorts.next(), settings);
        return ForkedJvm.runToEnd(command(List.of(), List.of(), args, environment));
    }

    private static ForkedJvm.Command command(
            List<String> launcher, List<String> jvmOptions, List<String> args, Map<String, String> environment) {
        List<String> options = new java.util.ArrayList<>(jvmOptions);
        options.add("-Dlog4j2.configurationFile=log4j2.xml");
        return new ForkedJvm.Command(GatewayMain.class.getName(), args, launcher, options, "GATEWAY_", environment);
    }

    private static Map<String, String> environment(URI api, int smtpPort, int smtpsPort, String... settings) {
        Map<String, String> env = new HashMap<>(Map.of(
                "GATEWAY_BIND_ADDRESS", "127.0.0.1",
                "GATEWAY_SMTP_PORT", String.valueOf(smtpPort),
                "GATEWAY_SMTPS_PORT", String.valueOf(smtpsPort),
                "GATEWAY_HTTP_PORT", "0",
                "GATEWAY_API_URL", api.toString(),
                "GATEWAY_API_H2C", "true",
                "GATEWAY_HOSTNAME", "gateway.test",
                "GATEWAY_DRAIN_DELAY", "0s"));
        for (int i = 0; i < settings.length; i += 2) {
            env.put(settings[i], settings[i + 1]);
        }
        return env;
    }

    /** Whether a new connection to the submission port gets a {@code 220} greeting within five seconds. */
    boolean greets() {
        return jvm.greets(smtpPort, "220 ");
    }

    long residentBytes() throws IOException {
        return jvm.residentBytes();
    }

    void collectGarbage() throws IOException, InterruptedException {
        jvm.collectGarbage();
    }

    String output() throws IOException {
        return jvm.output();
    }

    boolean isAlive() {
        return jvm.isAlive();
    }

    /** Sends SIGTERM; whether the process ended within {@code atMost}. */
    boolean terminate(Duration atMost) throws InterruptedException {
        jvm.sigterm();
        return jvm.ended(atMost);
    }

    void sigterm() {
        jvm.sigterm();
    }

    int exitCode(Duration atMost) throws InterruptedException {
        return jvm.exitCode(atMost);
    }

    @Override
    public void close() throws IOException {
        jvm.close();
    }
}
