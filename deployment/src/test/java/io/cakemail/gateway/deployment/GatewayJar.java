package io.cakemail.gateway.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.cakemail.gateway.testkit.FreePorts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

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

    /**
     * Runs the jar with {@code settings} in place of any {@code GATEWAY_*} variable of the test's environment, its
     * output to {@code log}; here, not in a cluster: loopback only, and the embedded sandbox instead of the real API.
     */
    static Process start(Map<String, String> settings, Path log) throws IOException {
        Map<String, String> environment = new HashMap<>(settings);
        environment.put("GATEWAY_BIND_ADDRESS", "127.0.0.1");
        environment.remove("GATEWAY_API_URL");
        environment.put("GATEWAY_SANDBOX", "true");
        environment.put("GATEWAY_SANDBOX_PORT", String.valueOf(FreePorts.next()));
        ProcessBuilder builder = new ProcessBuilder(List.of(java(), "-jar", path().toString()))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().keySet().removeIf(name -> name.startsWith("GATEWAY_"));
        builder.environment().putAll(environment);
        return builder.start();
    }

    static String java() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    static Path logFile(String prefix) throws IOException {
        return Files.createTempFile(prefix, ".log");
    }
}
