package io.cakemail.gateway.server;

import io.cakemail.gateway.testkit.Await;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.core.ConditionTimeoutException;

/**
 * The gateway in a process of its own ({@link GatewayMain} on the test class path) with JVM options of its own, such
 * as a small heap, and the production logging configuration; its API is {@code apiUrl} (a sandbox in the test's JVM,
 * so the gateway's memory is its own). Output goes to a file the test can read.
 */
final class GatewayProcess implements AutoCloseable {

    final int smtpPort;
    final int smtpsPort;
    private final Process process;
    private final Path output;

    private GatewayProcess(Process process, Path output, int smtpPort, int smtpsPort) {
        this.process = process;
        this.output = output;
        this.smtpPort = smtpPort;
        this.smtpsPort = smtpsPort;
    }

    /** Starts the gateway and returns once its submission port greets. */
    static GatewayProcess start(URI apiUrl, List<String> jvmOptions, Map<String, String> environment)
            throws IOException, InterruptedException {
        return start(List.of(), apiUrl, jvmOptions, environment);
    }

    /** The same, its command run by {@code launcher} (such as {@code prlimit --nofile=512 --}). */
    static GatewayProcess start(
            List<String> launcher, URI apiUrl, List<String> jvmOptions, Map<String, String> environment)
            throws IOException, InterruptedException {
        int smtpPort = freePort();
        int smtpsPort = freePort();
        Path output = Files.createTempFile("gateway-process", ".log");
        ProcessBuilder builder = builder(launcher, jvmOptions, List.of(), environment, apiUrl, smtpPort, smtpsPort)
                .redirectOutput(output.toFile());
        GatewayProcess gateway = new GatewayProcess(builder.start(), output, smtpPort, smtpsPort);
        gateway.awaitGreeting(Duration.ofSeconds(30));
        return gateway;
    }

    /**
     * A gateway of a fleet: {@code api} as its API and {@code redis} shared with the others, loopback not exempt from
     * the per-client limits, a short API deadline and drain; {@code more} settings as name and value pairs.
     */
    static GatewayProcess inFleet(URI api, RedisProcess redis, String... more)
            throws IOException, InterruptedException {
        List<String> settings = new ArrayList<>(List.of(
                "GATEWAY_REDIS_URL", redis.url().toString(),
                "GATEWAY_LIMITS_EXEMPT_CIDRS", "192.0.2.0/24",
                "GATEWAY_API_DEADLINE", "10s",
                "GATEWAY_DRAIN_TIMEOUT", "10s"));
        settings.addAll(List.of(more));
        return start(api, List.of(), env(settings.toArray(String[]::new)));
    }

    /** Runs the gateway with {@code args} until it exits by itself (within a minute): its exit code and output. */
    static ExternalClient.Result runToEnd(List<String> args, Map<String, String> environment)
            throws IOException, InterruptedException {
        ProcessBuilder builder = builder(
                List.of(), List.of(), args, environment, URI.create("http://127.0.0.1:1"), freePort(), freePort());
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the gateway did not exit: " + output);
        }
        return new ExternalClient.Result(process.exitValue(), output);
    }

    private static ProcessBuilder builder(
            List<String> launcher,
            List<String> jvmOptions,
            List<String> args,
            Map<String, String> environment,
            URI apiUrl,
            int smtpPort,
            int smtpsPort) {
        List<String> command = new ArrayList<>(launcher);
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(jvmOptions);
        command.addAll(List.of(
                "-Dlog4j2.configurationFile=log4j2.xml",
                "-cp",
                System.getProperty("java.class.path"),
                GatewayMain.class.getName()));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(name -> name.startsWith("GATEWAY_"));
        env.putAll(Map.of(
                "GATEWAY_BIND_ADDRESS",
                "127.0.0.1",
                "GATEWAY_SMTP_PORT",
                String.valueOf(smtpPort),
                "GATEWAY_SMTPS_PORT",
                String.valueOf(smtpsPort),
                "GATEWAY_HTTP_PORT",
                "0",
                "GATEWAY_API_URL",
                apiUrl.toString(),
                "GATEWAY_API_H2C",
                "true",
                "GATEWAY_HOSTNAME",
                "gateway.test",
                "GATEWAY_DRAIN_DELAY",
                "0s"));
        env.putAll(environment);
        return builder;
    }

    /** Environment variables as given, plus more. */
    static Map<String, String> env(String... namesAndValues) {
        Map<String, String> env = new HashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            env.put(namesAndValues[i], namesAndValues[i + 1]);
        }
        return env;
    }

    private void awaitGreeting(Duration timeout) throws IOException {
        try {
            Await.until("the gateway's greeting", timeout, () -> {
                if (!process.isAlive()) {
                    throw new IllegalStateException("the gateway exited: " + output());
                }
                return greets();
            });
        } catch (ConditionTimeoutException e) {
            throw new IllegalStateException("the gateway did not greet within " + timeout + ": " + output(), e);
        }
    }

    /** Whether a new connection to the submission port gets a {@code 220} greeting within five seconds. */
    boolean greets() {
        try (Socket socket = new Socket("127.0.0.1", smtpPort)) {
            socket.setSoTimeout(5000);
            String line = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
                    .readLine();
            return line != null && line.startsWith("220 ");
        } catch (IOException e) {
            return false;
        }
    }

    /** The process's resident memory, from {@code /proc}. */
    long residentBytes() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(process.pid()), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
            }
        }
        throw new IllegalStateException("no VmRSS");
    }

    /** Runs a full garbage collection in the process, so buffers it leaked are found by its leak detector. */
    void collectGarbage() throws IOException, InterruptedException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process gc = new ProcessBuilder(jcmd.toString(), String.valueOf(process.pid()), "GC.run")
                .redirectErrorStream(true)
                .start();
        gc.getInputStream().readAllBytes();
        gc.waitFor(30, TimeUnit.SECONDS);
    }

    String output() throws IOException {
        return Files.readString(output, StandardCharsets.UTF_8);
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Sends SIGTERM; whether the process ended within {@code timeout}. */
    boolean terminate(Duration timeout) throws InterruptedException {
        sigterm();
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Sends SIGTERM and returns at once. */
    void sigterm() {
        process.destroy();
    }

    /** The exit code, once the process ends within {@code timeout}. */
    int exitCode(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("the gateway did not exit within " + timeout);
        }
        return process.exitValue();
    }

    @Override
    public void close() throws IOException {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Files.deleteIfExists(output);
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
