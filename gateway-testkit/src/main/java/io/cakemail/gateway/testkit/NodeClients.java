package io.cakemail.gateway.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The Node packages the tests drive, declared in the repository's {@code test-clients/package.json} with a lock file
 * and installed before the build ({@code npm ci --prefix test-clients}, which the README's test command and
 * {@code .ci/run} run): no test installs anything.
 */
public final class NodeClients {

    private NodeClients() {}

    /** The {@code test-clients} folder; fails, saying how to install them, when its packages are not installed. */
    public static Path folder() {
        Path here = Path.of("").toAbsolutePath();
        Path folder =
                (Files.isDirectory(here.resolve("test-clients")) ? here : here.getParent()).resolve("test-clients");
        assertThat(folder.resolve("node_modules"))
                .as("the Node test clients; install them first: npm ci --prefix test-clients")
                .isDirectory();
        return folder;
    }

    /** An installed package's folder, such as {@code nodemailer}'s, for {@code require()}. */
    public static Path module(String name) {
        Path module = folder().resolve("node_modules").resolve(name);
        assertThat(module.resolve("package.json"))
                .as(name + " in test-clients/package.json, installed by npm ci --prefix test-clients")
                .isRegularFile();
        return module;
    }

    /** An installed package's command, from {@code node_modules/.bin}. */
    public static Path command(String name) {
        Path command = folder().resolve("node_modules").resolve(".bin").resolve(name);
        assertThat(command)
                .as(name + ", installed by npm ci --prefix test-clients")
                .isExecutable();
        return command;
    }
}
