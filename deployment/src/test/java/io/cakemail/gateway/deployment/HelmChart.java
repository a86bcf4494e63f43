package io.cakemail.gateway.deployment;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** The chart in {@code deployment/helm}, linted and rendered by Helm itself (helm-java runs it in process). */
final class HelmChart {

    static final Path DIRECTORY = Path.of("helm", "cakemail-smtp-gateway").toAbsolutePath();
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

    /** Renders the chart with {@code valuesFiles} (names in the chart's directory) and then {@code set} applied. */
    static Manifests render(List<String> valuesFiles, Map<String, ?> set) {
        TemplateCommand template = new Helm(DIRECTORY)
                .template()
                .withName(RELEASE)
                .withNamespace(NAMESPACE)
                .withKubeVersion(KUBERNETES_VERSION);
        valuesFiles.forEach(file -> template.withValuesFile(DIRECTORY.resolve(file)));
        set.forEach(template::set);
        return parse(template.call());
    }

    static Manifests render(Map<String, ?> set) {
        return render(List.of(), set);
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
