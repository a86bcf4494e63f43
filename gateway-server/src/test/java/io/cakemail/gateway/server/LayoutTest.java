package io.cakemail.gateway.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The layout's rules, read from the source tree, so the folders keep showing the design: the server's root holds only
 * the entry point and the composition root; the Cakemail core knows nothing of SMTP (no import of the SMTP module,
 * no compile dependency on it, no SMTP status code); SMTP replies are made only where SMTP meets Cakemail (the bridge)
 * and where limits turn a client away, besides the SMTP module itself; a variable's name is written only in the
 * configuration; no class is longer than a reader can hold (400 lines); tests wait for conditions, not for time, and
 * start gateways one way.
 */
class LayoutTest {

    private static final Path REPOSITORY = Path.of("..").toAbsolutePath().normalize();
    private static final Path SERVER_ROOT =
            REPOSITORY.resolve("gateway-server/src/main/java/io/cakemail/gateway/server");

    @Test
    void theServersRootHoldsOnlyTheEntryPointAndTheCompositionRoot() throws IOException {
        try (Stream<Path> files = Files.list(SERVER_ROOT)) {
            assertThat(files.filter(Files::isRegularFile)
                            .map(path -> path.getFileName().toString()))
                    .hasSizeLessThanOrEqualTo(3)
                    .contains("GatewayMain.java", "Gateway.java");
        }
    }

    @Test
    void theCoreKnowsNothingOfSmtp() throws IOException {
        assertThat(sources("gateway-core/src/main/java"))
                .allSatisfy(source -> assertThat(Files.readString(source))
                        .as(source.toString())
                        .doesNotContain("import io.cakemail.gateway.smtp"));
        String pom = Files.readString(REPOSITORY.resolve("gateway-core/pom.xml"));
        assertThat(Pattern.compile(
                                "<artifactId>gateway-protocol</artifactId>\\s*(?:<version>[^<]*</version>\\s*)?</dependency>")
                        .matcher(pom)
                        .find())
                .as("a compile dependency of gateway-core on gateway-protocol")
                .isFalse();
    }

    /** The core speaks its own language ({@code Refusal.Kind}, outcomes): the bridge maps it to SMTP replies. */
    @Test
    void theCoreWritesNoSmtpStatusCode() throws IOException {
        // the reply codes that are SMTP's alone (the API's HTTP statuses, 401, 429, 500, 503, are the core's to read),
        // and enhanced status codes as a string or a reply writes them (an RFC's section numbers look alike)
        Pattern smtpCode = Pattern.compile(
                "\\b(250|421|450|451|452|535|550|552|553|554)\\b|\"[245]\\.[0-9]+\\.[0-9]+|\\b[245][0-9]{2} [245]\\.[0-9]+\\.[0-9]");
        for (Path source : sources("gateway-core/src/main/java")) {
            assertThat(smtpCode.matcher(Files.readString(source)).find())
                    .as("an SMTP status code in %s", source)
                    .isFalse();
        }
    }

    @Test
    void smtpRepliesAreMadeOnlyByTheSmtpModuleTheBridgeAndTheLimits() throws IOException {
        for (Path source : sources("")) {
            String path = REPOSITORY.relativize(source).toString();
            boolean allowed = path.startsWith("gateway-protocol/")
                    || path.contains("/server/bridge/")
                    || path.contains("/server/limits/")
                    || path.contains("/src/test/")
                    || path.startsWith("benchmarks/");
            if (!allowed) {
                assertThat(Files.readString(source))
                        .as(path)
                        .doesNotContainPattern("SmtpReply\\.(of|withoutStatus|multiline)\\(");
            }
        }
    }

    /** A variable's name is written once, in its setting's row; the rest of the program asks the setting for it. */
    @Test
    void variableNamesAreWrittenOnlyInTheConfiguration() throws IOException {
        Pattern variableInAString = Pattern.compile("\"[^\"\\n]*GATEWAY_[A-Z]");
        for (Path source : sources("")) {
            String path = REPOSITORY.relativize(source).toString();
            if (path.contains("/src/main/") && !path.contains("/server/config/")) {
                assertThat(variableInAString.matcher(Files.readString(source)).find())
                        .as("a GATEWAY_ variable's name in a string in %s", path)
                        .isFalse();
            }
        }
    }

    @Test
    void noMainClassIsOver400Lines() throws IOException {
        for (Path source : sources("")) {
            if (source.toString().contains("/src/main/")) {
                assertThat(Files.readAllLines(source))
                        .as(REPOSITORY.relativize(source).toString())
                        .hasSizeLessThanOrEqualTo(400);
            }
        }
    }

    /**
     * Tests wait for what they wait for ({@code Await}), never a guessed time. One file may sleep: the suite's guard,
     * whose sleep on an event loop is the blocking call BlockHound must catch, and whose pauses between collections
     * give a leaked buffer its chance to be reported, where no report is the outcome expected, so there is nothing to
     * wait for.
     */
    @Test
    void testsWaitForConditionsNotForTime() throws IOException {
        for (Path source : sources("")) {
            String path = REPOSITORY.relativize(source).toString();
            if (path.contains("/src/test/") && !path.endsWith("/testing/TestEnvironmentExtension.java")) {
                assertThat(Files.readString(source)).as(path).doesNotContainPattern("Thread\\.sleep\\(");
            }
        }
    }

    /**
     * A server test starts a gateway, a sandbox or Redis one way: through the test kit's extension ({@code Gateways}),
     * which closes them after the test. Only the extension and the kinds of gateway it starts call the starters.
     */
    @Test
    void serverTestsStartGatewaysOnlyThroughTheExtension() throws IOException {
        Set<String> starters = Set.of("Gateways.java", "ScriptedGateway.java", "InProcessGateway.java");
        for (Path source : sources("gateway-server/src/test")) {
            if (!starters.contains(source.getFileName().toString())) {
                assertThat(Files.readString(source))
                        .as(REPOSITORY.relativize(source).toString())
                        .doesNotContainPattern(
                                "GatewayServer\\.start\\(|Gateway\\.start\\(|new (InProcess|Scripted)Gateway\\("
                                        + "|ForkedGateway\\.start\\(|CakemailSandbox\\.start\\(|\\.spec\\(\\)[^;]*\\.start\\(\\)");
            }
        }
    }

    /** The README fits on a screen or two; the rest is in docs/, and every relative link of both leads to a file. */
    @Test
    void theReadmeIsShortAndEveryDocumentLinkLeadsSomewhere() throws IOException {
        assertThat(Files.readAllLines(REPOSITORY.resolve("README.md"))).hasSizeLessThanOrEqualTo(150);
        Pattern link = Pattern.compile("\\]\\(([^)#:]+)(#[^)]*)?\\)");
        List<Path> documents = new java.util.ArrayList<>(List.of(
                REPOSITORY.resolve("README.md"),
                REPOSITORY.resolve("deployment/README.md"),
                REPOSITORY.resolve("benchmarks/README.md")));
        try (Stream<Path> docs = Files.list(REPOSITORY.resolve("docs"))) {
            docs.forEach(documents::add);
        }
        for (Path document : documents) {
            var links = link.matcher(Files.readString(document));
            while (links.find()) {
                assertThat(document.resolveSibling(links.group(1)))
                        .as("a link in " + REPOSITORY.relativize(document))
                        .exists();
            }
        }
    }

    /** Every Java source under {@code folder} of the repository (all of them for an empty one). */
    private static List<Path> sources(String folder) throws IOException {
        try (Stream<Path> files = Files.walk(REPOSITORY.resolve(folder))) {
            return files.filter(path -> path.toString().endsWith(".java"))
                    .filter(path -> !path.toString().contains("/target/"))
                    .toList();
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
