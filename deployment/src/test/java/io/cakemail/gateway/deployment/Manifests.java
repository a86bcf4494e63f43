package io.cakemail.gateway.deployment;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.List;
import java.util.Map;

/** What one rendering of the chart produced, each manifest parsed into its Kubernetes model. */
record Manifests(String yaml, List<HasMetadata> resources) {

    <T extends HasMetadata> List<T> all(Class<T> kind) {
        return resources.stream().filter(kind::isInstance).map(kind::cast).toList();
    }

    <T extends HasMetadata> T one(Class<T> kind) {
        List<T> found = all(kind);
        if (found.size() != 1) {
            throw new AssertionError("expected one " + kind.getSimpleName() + ", rendered " + found.size());
        }
        return found.get(0);
    }

    boolean has(Class<? extends HasMetadata> kind) {
        return !all(kind).isEmpty();
    }

    /** The gateway's container. */
    Container gateway() {
        return one(Deployment.class)
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0);
    }

    /** The {@code GATEWAY_*} settings the pods get from the ConfigMap the gateway's container reads. */
    Map<String, String> settings() {
        String name = gateway().getEnvFrom().get(0).getConfigMapRef().getName();
        return all(ConfigMap.class).stream()
                .filter(map -> map.getMetadata().getName().equals(name))
                .findFirst()
                .orElseThrow()
                .getData();
    }
}
