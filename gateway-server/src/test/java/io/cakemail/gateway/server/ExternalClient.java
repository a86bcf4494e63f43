package io.cakemail.gateway.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a real client program (curl, python3) and captures its exit code and output.
 */
final class ExternalClient {

    /** What a finished program left. */
    record Result(int exitCode, String output) {}

    private ExternalClient() {}

    static Result run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(new ArrayList<>(command))
                .redirectErrorStream(true)
                .start();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("timed out: " + command);
        }
        return new Result(
                process.exitValue(), new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    /** Runs {@code script} with python3, passing {@code args} as {@code sys.argv[1:]}. */
    static Result python(String script, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("python3", "-c", script));
        command.addAll(List.of(args));
        return run(command);
    }

    /**
     * Sends {@code mail} with curl over STARTTLS (required; any certificate) to {@code url}, logging in as
     * {@code user:password}, from {@code from} to each of {@code recipients}.
     */
    static Result curlSend(String url, String credentials, String from, Path mail, String... recipients)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(
                List.of("curl", "-sS", "--ssl-reqd", "-k", url, "--user", credentials, "--mail-from", from));
        for (String recipient : recipients) {
            command.add("--mail-rcpt");
            command.add(recipient);
        }
        command.add("--upload-file");
        command.add(mail.toString());
        return run(command);
    }
}
