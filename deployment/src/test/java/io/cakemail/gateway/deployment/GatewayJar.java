package io.cakemail.gateway.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The runnable jar {@code gateway-server} builds before this module, which the image carries. */
final class GatewayJar {

    static final Path PATH = Path.of("..", "gateway-server", "target", "smtp-gateway.jar")
            .toAbsolutePath()
            .normalize();

    private GatewayJar() {}

    static Path path() {
        assertThat(PATH).as("built by gateway-server's package phase").exists();
        return PATH;
    }

    static String java() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    static Path logFile(String prefix) throws IOException {
        return Files.createTempFile(prefix, ".log");
    }
}
