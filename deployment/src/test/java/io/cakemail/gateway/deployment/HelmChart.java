package io.cakemail.gateway.deployment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** The chart in {@code deployment/helm}, linted and rendered by Helm itself (helm-java runs it in process). */
final class HelmChart {

    static final String CHART_NAME = "cakemail-smtp-gateway";
    static final Path DIRECTORY = Path.of("helm", CHART_NAME).toAbsolutePath();
    /** The ClusterIssuers' chart, installed once per cluster beside the gateway's releases. */
    static final Path ISSUERS = Path.of("helm", CHART_NAME + "-issuers").toAbsolutePath();

    static final String RELEASE = "smtp-gateway";
    static final String NAMESPACE = "mail";
    /** The Kubernetes release rendered for: one the chart supports (Helm's own default, 1.20, is not). */
    static final String KUBERNETES_VERSION = "1.34.0";

    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
    private static final Pattern DOCUMENT_SEPARATOR = Pattern.compile("(?m)^---\\s*$");

    private HelmChart() {}

    static LintResult lint() {
        return new Helm(DIRECTORY).lint().strict().call();
    }

    /**
     * Lints {@code chart} strictly as a release would install it with {@code valuesFile}: Helm's lint takes no values
     * file, so a copy in {@code work} gets its default values merged with that file's.
     */
    static LintResult lint(Path chart, String valuesFile, Path work) throws IOException {
        Path copy = work.resolve(chart.getFileName().toString());
        copyTree(chart, copy);
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        JsonNode merged = yaml.readerForUpdating(
                        yaml.readTree(chart.resolve("values.yaml").toFile()))
                .readValue(chart.resolve(valuesFile).toFile());
        yaml.writeValue(copy.resolve("values.yaml").toFile(), merged);
        return new Helm(copy).lint().strict().call();
    }

    /** Renders the chart with {@code valuesFiles} (names in the chart's directory) and then {@code set} applied. */
    static Manifests render(List<String> valuesFiles, Map<String, ?> set) {
        return render(DIRECTORY, valuesFiles, set);
    }

    /** Renders {@code chart} (a directory) with {@code valuesFiles} in it and then {@code set} applied. */
    static Manifests render(Path chart, List<String> valuesFiles, Map<String, ?> set) {
        TemplateCommand template = new Helm(chart)
                .template()
                .withName(RELEASE)
                .withNamespace(NAMESPACE)
                .withKubeVersion(KUBERNETES_VERSION);
        valuesFiles.forEach(file -> template.withValuesFile(chart.resolve(file)));
        set.forEach(template::set);
        return parse(template.call());
    }

    static Manifests render(Map<String, ?> set) {
        return render(List.of(), set);
    }

    /**
     * Renders the chart as the dependency of a parent chart made in {@code parent} (the chart copied into its
     * {@code charts/}, as {@code helm dependency build} leaves it), with the parent's {@code values} (YAML).
     */
    static Manifests renderAsSubchart(Path parent, String values) throws IOException {
        Files.writeString(
                parent.resolve("Chart.yaml"),
                "apiVersion: v2\nname: mail-platform\nversion: 1.0.0\ndependencies:\n  - name: " + CHART_NAME
                        + "\n    version: \">0.0.0-0\"\n");
        Files.writeString(parent.resolve("values.yaml"), values);
        copyTree(DIRECTORY, parent.resolve("charts").resolve(CHART_NAME));
        return parse(new Helm(parent)
                .template()
                .withName(RELEASE)
                .withNamespace(NAMESPACE)
                .withKubeVersion(KUBERNETES_VERSION)
                .call());
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(file, target);
                }
            }
        }
    }

    private static Manifests parse(String yaml) {
        List<HasMetadata> resources = new ArrayList<>();
        for (String document : DOCUMENT_SEPARATOR.split(yaml)) {
            if (document.lines().anyMatch(line -> !line.isBlank() && !line.startsWith("#"))) {
                resources.add(SERIALIZATION.unmarshal(document));
            }
        }
        return new Manifests(yaml, resources);
    }
}
