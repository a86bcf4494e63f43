package io.cakemail.gateway.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The GitHub Actions workflow for forks, read as YAML: the jobs it promises and the files it runs exist. */
class CiWorkflowTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Pattern SCRIPT = Pattern.compile("(?:^|\\s)((?:deployment|benchmarks|\\.ci)/[\\w./-]+\\.sh)");

    private static JsonNode workflow;

    @BeforeAll
    static void read() throws Exception {
        workflow = new ObjectMapper(new YAMLFactory())
                .readTree(ROOT.resolve(".github/workflows/ci.yml").toFile());
    }

    @Test
    void runsOnPushesAndPullRequests() {
        assertThat(workflow.path("on").has("push")).isTrue();
        assertThat(workflow.path("on").has("pull_request")).isTrue();
        assertThat(workflow.path("permissions").path("contents").asText()).isEqualTo("read");
    }

    @Test
    void theBuildAndEveryTestRunOnJava17And21And25() {
        JsonNode verify = workflow.path("jobs").path("verify");

        assertThat(texts(verify.path("strategy").path("matrix").path("java"))).containsExactly("17", "21", "25");
        assertThat(step(verify, "actions/setup-java")
                        .path("with")
                        .path("java-version")
                        .asText())
                .isEqualTo("${{ matrix.java }}");
        assertThat(runs(verify)).anySatisfy(run -> assertThat(run).contains("mvn -B verify"));
        assertThat(runs(verify)).anySatisfy(run -> assertThat(run).contains("haproxy", "redis-server"));
    }

    @Test
    void theImageIsBuiltRunAndBuiltAgainFromTheDockerfile() {
        JsonNode image = workflow.path("jobs").path("image");

        assertThat(runs(image))
                .anySatisfy(run -> assertThat(run).contains("deployment/image/smoke.sh", "IMAGE_BASE="))
                .anySatisfy(run -> assertThat(run).contains("docker build"));
    }

    @Test
    void stagingInABoxRunsOnTheImageWithWhatItStandsOn() {
        JsonNode staging = workflow.path("jobs").path("staging");

        assertThat(runs(staging))
                .anySatisfy(run -> assertThat(run).contains("haproxy", "redis-server", "podman", "runc"))
                .anySatisfy(run -> assertThat(run).contains("deployment/image/build.sh", "deployment/staging.sh"));
    }

    @Test
    void dependenciesAndTheImageAreScannedWithoutAnySecretSoForksGetItToo() throws Exception {
        assertThat(runs(workflow.path("jobs").path("dependency-scan")))
                .anySatisfy(run -> assertThat(run).contains("trivy", " fs ", "smtp-gateway.jar", "--exit-code 1"))
                .anySatisfy(run -> assertThat(run).contains("trivy", " image ", "smtp-gateway-image.tar"));
        assertThat(Files.readString(ROOT.resolve(".github/workflows/ci.yml"))).doesNotContain("secrets.");
    }

    @Test
    void formatAndLintRunAsTheirOwnJobAndBeforeEachCommitAsInTheBuild() throws Exception {
        assertThat(runs(workflow.path("jobs").path("lint")))
                .anySatisfy(run -> assertThat(run).contains("spotless:check", "checkstyle:check"));
        JsonNode preCommit = new ObjectMapper(new YAMLFactory())
                .readTree(ROOT.resolve(".pre-commit-config.yaml").toFile());
        List<String> entries = new ArrayList<>();
        preCommit
                .path("repos")
                .forEach(repo -> repo.path("hooks")
                        .forEach(hook -> entries.add(hook.path("entry").asText())));
        assertThat(entries)
                .anySatisfy(entry -> assertThat(entry).contains("spotless:check"))
                .anySatisfy(entry -> assertThat(entry).contains("checkstyle:check"));
    }

    @Test
    void coverageIsMeasuredOnJava17AndItsReportKept() {
        JsonNode verify = workflow.path("jobs").path("verify");
        assertThat(runs(verify)).anySatisfy(run -> assertThat(run).contains("-Pcoverage"));
        assertThat(step(verify, "actions/upload-artifact")
                        .path("with")
                        .path("path")
                        .asText())
                .contains("target/site/jacoco");
    }

    @Test
    void everyActionIsPinnedAndEveryScriptItRunsExists() {
        List<String> scripts = new ArrayList<>();
        workflow.path("jobs").forEach(job -> {
            job.path("steps").forEach(step -> {
                if (step.has("uses")) {
                    assertThat(step.path("uses").asText()).matches("[\\w-]+/[\\w-]+@(v\\d+|[0-9a-f]{40})");
                }
                Matcher script = SCRIPT.matcher(step.path("run").asText());
                while (script.find()) {
                    scripts.add(script.group(1));
                }
            });
            assertThat(job.path("timeout-minutes").asInt()).isPositive();
        });

        assertThat(scripts).isNotEmpty();
        assertThat(scripts)
                .allSatisfy(script -> assertThat(Files.isExecutable(ROOT.resolve(script)))
                        .as(script)
                        .isTrue());
    }

    private static JsonNode step(JsonNode job, String action) {
        for (JsonNode step : job.path("steps")) {
            if (step.path("uses").asText().startsWith(action + "@")) {
                return step;
            }
        }
        throw new AssertionError("no step uses " + action);
    }

    private static List<String> runs(JsonNode job) {
        List<String> runs = new ArrayList<>();
        job.path("steps").forEach(step -> runs.add(step.path("run").asText()));
        return runs;
    }

    private static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(item -> texts.add(item.asText()));
        return texts;
    }
}
