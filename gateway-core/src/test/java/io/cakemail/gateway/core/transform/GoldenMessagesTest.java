package io.cakemail.gateway.core.transform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.cakemail.gateway.testkit.ApiContract;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every {@code .eml} under {@code src/test/resources/messages} against the {@code .json} next to it. A missing
 * expected file is written as a candidate under {@code target/golden-candidates} (the test never writes into
 * {@code src/}) and the test fails until someone reviews it and moves it next to its message.
 */
class GoldenMessagesTest {

    static final Path CORPUS = Path.of("src", "test", "resources", "messages");

    static Stream<Path> messages() throws IOException {
        try (Stream<Path> files = Files.list(CORPUS)) {
            return files.filter(p -> p.toString().endsWith(".eml")).sorted().toList().stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("messages")
    void matchesItsGoldenFile(Path eml) throws IOException {
        JsonNode actual = Transforms.whole(Files.readAllBytes(eml), TransformConfig.DEFAULT);
        Path expected = Path.of(eml.toString().replaceAll("\\.eml$", ".json"));
        if (!Files.exists(expected)) {
            Path candidate = Path.of("target", "golden-candidates").resolve(expected.getFileName());
            Files.createDirectories(candidate.getParent());
            Files.writeString(
                    candidate, Transforms.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(actual) + "\n");
            fail("no " + expected + "; wrote a candidate to " + candidate + ": review it and move it there");
        }
        assertThat(actual).isEqualTo(Transforms.JSON.readTree(expected.toFile()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("messages")
    void anyChunkingGivesTheSameOutcome(Path eml) throws IOException {
        byte[] message = Files.readAllBytes(eml);
        JsonNode whole = Transforms.whole(message, TransformConfig.DEFAULT);
        assertThat(Transforms.byteByByte(message, TransformConfig.DEFAULT))
                .as("one byte at a time")
                .isEqualTo(whole);
        Random random = new Random(eml.getFileName().toString().hashCode());
        for (int round = 0; round < 5; round++) {
            assertThat(Transforms.randomChunks(message, TransformConfig.DEFAULT, random, 1 + random.nextInt(200)))
                    .as("random chunks, round %d", round)
                    .isEqualTo(whole);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("messages")
    void everySubmissionConformsToTheApiContract(Path eml) throws IOException {
        JsonNode outcome = Transforms.whole(Files.readAllBytes(eml), TransformConfig.DEFAULT);
        assumeTrue(outcome.has("body"), "refused: nothing to validate");
        assertThat(ApiContract.violations(outcome.get("body"))).isEmpty();
    }
}
