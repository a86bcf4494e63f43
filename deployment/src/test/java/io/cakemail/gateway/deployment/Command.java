package io.cakemail.gateway.deployment;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A program run to its end in a directory, with its exit code and merged output. */
record Command(int exitCode, String output) {

    static Command run(Path directory, Map<String, String> environment, Duration timeout, List<String> command)
            throws IOException, InterruptedException {
        ProcessBuilder builder =
                new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true);
        builder.environment().putAll(environment);
        Process process = builder.start();
        byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("did not end within " + timeout + ": " + command);
        }
        return new Command(process.exitValue(), new String(output, StandardCharsets.UTF_8));
    }

    static Command run(Path directory, String... command) throws IOException, InterruptedException {
        return run(directory, Map.of(), Duration.ofMinutes(5), List.of(command));
    }
}
