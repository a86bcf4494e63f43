package io.cakemail.gateway.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Installs Nodemailer from npm into {@code target/nodemailer} once per build.
 */
final class Nodemailer {

    static final String VERSION = "6.10.1";
    private static final Path PREFIX = Path.of("target", "nodemailer").toAbsolutePath();

    private Nodemailer() {}

    /** The path to {@code require()}. */
    static synchronized Path install() throws IOException, InterruptedException {
        Path module = PREFIX.resolve("node_modules").resolve("nodemailer");
        if (!Files.exists(module.resolve("package.json"))) {
            Files.createDirectories(PREFIX);
            ExternalClient.Result result = ExternalClient.run(List.of(
                    "npm",
                    "install",
                    "--prefix",
                    PREFIX.toString(),
                    "--no-audit",
                    "--no-fund",
                    "--no-save",
                    "nodemailer@" + VERSION));
            assertThat(result.exitCode())
                    .as("npm install nodemailer: " + result.output())
                    .isZero();
        }
        return module;
    }
}
