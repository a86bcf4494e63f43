package io.cakemail.gateway.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cakemail.gateway.testkit.Await;
import io.cakemail.gateway.testkit.FreePorts;
import io.cakemail.gateway.testkit.GatewayExtension;
import io.cakemail.gateway.testkit.NodeClients;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The plain Dockerfile, linted by dockerfilelint (from npm; it works offline once installed), and its health check run
 * as Docker runs it, against the gateway's jar.
 */
class DockerfileTest {

    @RegisterExtension
    final GatewayExtension fixtures = new GatewayExtension();

    static final Path DOCKERFILE = Path.of("..", "Dockerfile").toAbsolutePath().normalize();

    @Test
    void theDockerfileLintsClean() throws Exception {
        Command lint = dockerfilelint(DOCKERFILE);

        assertThat(lint.exitCode()).as(lint.output()).isZero();
        assertThat(lint.output()).contains("Issues: None found");
    }

    @Test
    void theLinterFindsWhatItIsThereFor(@TempDir Path directory) throws Exception {
        Path careless = directory.resolve("Dockerfile");
        Files.writeString(careless, "FROM debian\nRUN apt-get install curl\nEXPOSE 99999\n");

        Command lint = dockerfilelint(careless);

        assertThat(lint.exitCode()).isNotZero();
        assertThat(lint.output())
                .contains("Issues: 4")
                .contains("Base images should specify a tag")
                .contains("Line 3: EXPOSE 99999");
    }

    @Test
    void theHealthCheckPassesOnAServingGatewayAndFailsWithoutOne() throws Exception {
        List<String> check = healthCheck();
        int http = FreePorts.next();
        Map<String, String> environment = Map.of("GATEWAY_HTTP_PORT", String.valueOf(http));
        assertThat(Command.run(DOCKERFILE.getParent(), environment, Duration.ofSeconds(10), check)
                        .exitCode())
                .as("nothing listening")
                .isNotZero();

        Process gateway = GatewayJar.start(
                Map.of(
                        "GATEWAY_HTTP_PORT", String.valueOf(http),
                        "GATEWAY_SMTP_PORT", String.valueOf(FreePorts.next()),
                        "GATEWAY_SMTPS_PORT", String.valueOf(FreePorts.next())),
                GatewayJar.logFile("gateway-health-check"));
        fixtures.manage(gateway::destroyForcibly);
        int exit = Await.value(
                "the health check passing",
                Duration.ofSeconds(60),
                () -> Command.run(DOCKERFILE.getParent(), environment, Duration.ofSeconds(10), check)
                        .exitCode(),
                code -> code == 0);
        assertThat(exit).isZero();
    }

    /** The exec form of the HEALTHCHECK's CMD, a JSON array possibly continued over lines. */
    private static List<String> healthCheck() throws Exception {
        String dockerfile = Files.readString(DOCKERFILE).replace("\\\n", " ");
        Matcher cmd = Pattern.compile("(?m)^HEALTHCHECK .*?CMD (\\[.*\\])$").matcher(dockerfile);
        assertThat(cmd.find()).as("a HEALTHCHECK in exec form").isTrue();
        return List.of(new ObjectMapper().readValue(cmd.group(1), String[].class));
    }

    private static Command dockerfilelint(Path dockerfile) throws Exception {
        return Command.run(
                dockerfile.getParent(),
                NodeClients.command("dockerfilelint").toString(),
                dockerfile.getFileName().toString());
    }
}
