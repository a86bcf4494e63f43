package io.cakemail.gateway.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Node packages the tests use, installed from npm into {@code target/node} once per build. */
final class NpmPackages {

    static final Path PREFIX = Path.of("target", "node").toAbsolutePath();

    private NpmPackages() {}

    /** Installs each {@code name@version} not yet installed; returns the prefix whose node_modules holds them. */
    static synchronized Path install(String... packages) throws IOException, InterruptedException {
        List<String> missing = new ArrayList<>();
        for (String spec : packages) {
            String name = spec.substring(0, spec.lastIndexOf('@'));
            if (!Files.exists(PREFIX.resolve("node_modules").resolve(name).resolve("package.json"))) {
                missing.add(spec);
            }
        }
        if (!missing.isEmpty()) {
            Files.createDirectories(PREFIX);
            List<String> command = new ArrayList<>(
                    List.of("npm", "install", "--prefix", PREFIX.toString(), "--no-audit", "--no-fund", "--no-save"));
            command.addAll(missing);
            Command install = Command.run(PREFIX, Map.of(), Duration.ofMinutes(5), command);
            assertThat(install.exitCode())
                    .as("npm install " + missing + ": " + install.output())
                    .isZero();
        }
        return PREFIX;
    }
}
