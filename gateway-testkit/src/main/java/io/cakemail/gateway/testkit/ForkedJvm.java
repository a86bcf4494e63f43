package io.cakemail.gateway.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.core.ConditionTimeoutException;

/**
 * A main class of the test class path run in a JVM of its own (the test's own {@code java}), with JVM options of its
 * own (a small heap, a leak detector) and an environment the test sets whole: variables of the given prefix that
 * the test's own environment holds are removed first. Its output goes to a file the test can read; it can be
 * signalled, measured and killed. A module's own kind of forked server wraps it.
 */
public final class ForkedJvm implements AutoCloseable {

    private final Process process;
    private final Path output;

    private ForkedJvm(Process process, Path output) {
        this.process = process;
        this.output = output;
    }

    /** What to run: the main class and its arguments, how, and in which environment. */
    public record Command(
            String mainClass,
            List<String> args,
            List<String> launcher,
            List<String> jvmOptions,
            String environmentPrefix,
            Map<String, String> environment) {

        private ProcessBuilder builder() {
            List<String> command = new ArrayList<>(launcher);
            command.add(ProcessHandle.current().info().command().orElse("java"));
            command.addAll(jvmOptions);
            command.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass));
            command.addAll(args);
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            builder.environment().keySet().removeIf(name -> name.startsWith(environmentPrefix));
            builder.environment().putAll(environment);
            return builder;
        }
    }

    /** What a program run to its end left: its exit code and output. */
    public record Result(int exitCode, String output) {}

    /** Starts {@code command}; returns once a connection to {@code port} is greeted with {@code greeting}. */
    public static ForkedJvm start(Command command, int port, String greeting, Duration atMost) throws IOException {
        Path output = Files.createTempFile("forked-jvm", ".log");
        ForkedJvm jvm =
                new ForkedJvm(command.builder().redirectOutput(output.toFile()).start(), output);
        try {
            Await.until(command.mainClass() + "'s greeting on " + port, atMost, () -> {
                if (!jvm.isAlive()) {
                    throw new IllegalStateException(command.mainClass() + " exited: " + jvm.output());
                }
                return jvm.greets(port, greeting);
            });
        } catch (ConditionTimeoutException | IllegalStateException e) {
            String log = jvm.output();
            jvm.close();
            throw new IllegalStateException("no greeting within " + atMost + ": " + log, e);
        }
        return jvm;
    }

    /** Runs {@code command} until it exits by itself, within a minute. */
    public static Result runToEnd(Command command) throws IOException, InterruptedException {
        Process process = command.builder().start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(command.mainClass() + " did not exit: " + output);
        }
        return new Result(process.exitValue(), output);
    }

    /** Whether a new connection to {@code port} gets a first line starting with {@code greeting} within 5 s. */
    public boolean greets(int port, String greeting) {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(5000);
            String line = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
                    .readLine();
            return line != null && line.startsWith(greeting);
        } catch (IOException e) {
            return false;
        }
    }

    /** The process's resident memory, from {@code /proc}. */
    public long residentBytes() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(process.pid()), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
            }
        }
        throw new IllegalStateException("no VmRSS");
    }

    /** Runs a full garbage collection in the process (with {@code jcmd}), so its leak detector sees what leaked. */
    public void collectGarbage() throws IOException, InterruptedException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process gc = new ProcessBuilder(jcmd.toString(), String.valueOf(process.pid()), "GC.run")
                .redirectErrorStream(true)
                .start();
        gc.getInputStream().readAllBytes();
        gc.waitFor(30, TimeUnit.SECONDS);
    }

    /** Everything the process wrote so far. */
    public String output() throws IOException {
        return Files.readString(output, StandardCharsets.UTF_8);
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Sends SIGTERM and returns at once. */
    public void sigterm() {
        process.destroy();
    }

    /** Whether the process ended within {@code atMost}. */
    public boolean ended(Duration atMost) throws InterruptedException {
        return process.waitFor(atMost.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The exit code, once the process ends within {@code atMost}. */
    public int exitCode(Duration atMost) throws InterruptedException {
        if (!ended(atMost)) {
            throw new AssertionError("the process did not exit within " + atMost);
        }
        return process.exitValue();
    }

    /** Kills the process (if it still runs) and deletes its output. */
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
}
