package io.cakemail.gateway.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.cakemail.gateway.testkit.NodeClients;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The plain Dockerfile, linted by dockerfilelint (from npm; it works offline once installed). */
class DockerfileTest {

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

    private static Command dockerfilelint(Path dockerfile) throws Exception {
        return Command.run(
                dockerfile.getParent(),
                NodeClients.command("dockerfilelint").toString(),
                dockerfile.getFileName().toString());
    }
}
