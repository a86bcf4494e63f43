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

/**
 * The release workflow ({@code .github/workflows/release.yml}) makes the image the chart pulls: on a version tag, for
 * amd64 and arm64, pushed where {@code image.repository} points, with an SBOM and a signature, and one version for the
 * jar, the image's tag and the chart's version and appVersion. GitHub does not run here; this reads what it would.
 */
class ReleaseWorkflowTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private static JsonNode workflow;
    private static JsonNode job;

    @BeforeAll
    static void read() throws Exception {
        workflow = YAML.readTree(ROOT.resolve(".github/workflows/release.yml").toFile());
        job = workflow.path("jobs").path("image-and-chart");
    }

    @Test
    void itRunsOnVersionTagsWithThePermissionsToPushAndSignAndNoSecret() throws Exception {
        assertThat(workflow.path("on").path("push").path("tags").get(0).asText())
                .isEqualTo("v*.*.*");
        assertThat(workflow.path("permissions").path("packages").asText()).isEqualTo("write");
        assertThat(workflow.path("permissions").path("id-token").asText())
                .as("keyless signing")
                .isEqualTo("write");
        assertThat(Files.readString(ROOT.resolve(".github/workflows/release.yml")))
                .doesNotContain("secrets.");
    }

    @Test
    void theImageGoesWhereTheChartPullsItForBothPlatformsWithItsSbomAndSignature() throws Exception {
        JsonNode values =
                YAML.readTree(HelmChart.DIRECTORY.resolve("values.yaml").toFile());
        assertThat(job.path("env").path("IMAGE").asText())
                .isEqualTo(values.path("image").path("repository").asText());
        String runs = String.join("\n", runs());
        assertThat(runs)
                .contains(
                        "jib:build", "-Djib.from.platforms=linux/amd64,linux/arm64", "-Dimage.name=\"$IMAGE:$VERSION\"")
                .contains("syft", "spdx-json", "cosign sign --yes", "cosign attest --yes --type spdxjson")
                .contains("helm package", "--version \"$VERSION\"", "--app-version \"$VERSION\"")
                .contains("versions-maven-plugin", "-DnewVersion=\"$VERSION\"");
    }

    /** Between releases, the chart's appVersion is the version the build makes, without its -SNAPSHOT. */
    @Test
    void theChartsAppVersionIsTheBuildsVersion() throws Exception {
        Matcher version = Pattern.compile("<artifactId>smtp-gateway-parent</artifactId>\\s*<version>([^<]+)</version>")
                .matcher(Files.readString(ROOT.resolve("pom.xml")));
        assertThat(version.find()).isTrue();
        JsonNode chart = YAML.readTree(HelmChart.DIRECTORY.resolve("Chart.yaml").toFile());
        String built = version.group(1).replace("-SNAPSHOT", "");
        assertThat(chart.path("appVersion").asText()).isEqualTo(built);
        assertThat(chart.path("version").asText()).isEqualTo(built);
    }

    private static List<String> runs() {
        List<String> runs = new ArrayList<>();
        job.path("steps").forEach(step -> runs.add(step.path("run").asText()));
        return runs;
    }
}
