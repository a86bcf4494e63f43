package io.cakemail.gateway.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One gateway pod of a rendered Deployment, run by podman from an image on this machine as the kubelet would run it:
 * the container's environment (its ConfigMap and its literal variables, then the box's own settings), memory and CPU
 * limits, user and group, read-only root with {@code /tmp} writable, no capabilities, no privilege escalation, the
 * TLS Secret's files mounted where the pod mounts them, and stopped by SIGTERM with the pod's grace period. One
 * difference, for the box: host networking (distinct ports a gateway, loopback only), where a pod has an address of its
 * own.
 */
final class PodmanGateway implements AutoCloseable {

    private static final String PODMAN = "podman";

    private final String name;
    private final List<String> runArguments;
    private final int graceSeconds;
    private final Path directory;

    private PodmanGateway(String name, List<String> runArguments, int graceSeconds, Path directory) {
        this.name = name;
        this.runArguments = runArguments;
        this.graceSeconds = graceSeconds;
        this.directory = directory;
    }

    /**
     * The pod of {@code manifests}' Deployment as container {@code name} of {@code image}, with {@code settings} over
     * the rendered environment and {@code secrets} (a directory a Secret volume's name) mounted where the pod mounts
     * them; not started yet.
     */
    static PodmanGateway of(
            String name,
            String image,
            Manifests manifests,
            Map<String, String> settings,
            Map<String, Path> secrets,
            Path directory) {
        PodSpec pod = manifests.one(Deployment.class).getSpec().getTemplate().getSpec();
        Container container = manifests.gateway();
        List<String> arguments = new ArrayList<>(List.of(
                "run",
                "-d",
                "--name",
                name,
                "--network=host",
                "--runtime",
                "/usr/sbin/runc",
                // podman's own default limits fail on some kernels' cgroups: the container runtime's usual ones
                "--ulimit",
                "nofile=4096:4096",
                "--ulimit",
                "nproc=4096:4096"));
        Map<String, Quantity> limits = container.getResources().getLimits();
        arguments.addAll(List.of(
                "--memory",
                        String.valueOf(
                                Quantity.getAmountInBytes(limits.get("memory")).longValueExact()),
                "--cpus", Quantity.getAmountInBytes(limits.get("cpu")).toPlainString()));
        arguments.addAll(security(pod.getSecurityContext(), container.getSecurityContext()));
        arguments.addAll(volumes(pod, container, secrets));
        Map<String, String> environment = new LinkedHashMap<>(manifests.settings());
        for (EnvVar variable : container.getEnv()) {
            if (variable.getValue() != null) {
                environment.put(variable.getName(), variable.getValue());
            }
        }
        environment.put("POD_NAME", name);
        environment.putAll(settings);
        environment.forEach((key, value) -> arguments.addAll(List.of("-e", key + "=" + value)));
        arguments.add(image);
        return new PodmanGateway(
                name,
                List.copyOf(arguments),
                pod.getTerminationGracePeriodSeconds().intValue(),
                directory);
    }

    private static List<String> security(PodSecurityContext pod, SecurityContext container) {
        List<String> arguments = new ArrayList<>(List.of("--user", pod.getRunAsUser() + ":" + pod.getRunAsGroup()));
        if (Boolean.TRUE.equals(container.getReadOnlyRootFilesystem())) {
            arguments.add("--read-only");
        }
        if (Boolean.FALSE.equals(container.getAllowPrivilegeEscalation())) {
            arguments.addAll(List.of("--security-opt", "no-new-privileges"));
        }
        container
                .getCapabilities()
                .getDrop()
                .forEach(capability -> arguments.addAll(List.of("--cap-drop", capability)));
        return arguments;
    }

    /** An {@code emptyDir} as a tmpfs of its size limit, a Secret as the directory {@code secrets} names for it. */
    private static List<String> volumes(PodSpec pod, Container container, Map<String, Path> secrets) {
        List<String> arguments = new ArrayList<>();
        for (VolumeMount mount : container.getVolumeMounts()) {
            Volume volume = pod.getVolumes().stream()
                    .filter(candidate -> candidate.getName().equals(mount.getName()))
                    .findFirst()
                    .orElseThrow();
            if (volume.getEmptyDir() != null) {
                arguments.addAll(List.of(
                        "--tmpfs",
                        mount.getMountPath() + ":rw,exec,mode=1777,size="
                                + Quantity.getAmountInBytes(volume.getEmptyDir().getSizeLimit())
                                        .toPlainString()));
            } else if (volume.getSecret() != null) {
                Path files = secrets.get(volume.getName());
                assertThat(files)
                        .as("the files of Secret volume " + volume.getName())
                        .isNotNull();
                arguments.addAll(List.of("-v", files + ":" + mount.getMountPath() + ":ro"));
            } else {
                throw new AssertionError("a volume the box does not know how to give the pod: " + volume);
            }
        }
        return arguments;
    }

    /** Creates and starts the container. */
    void start() throws Exception {
        podman(Duration.ofMinutes(1), runArguments.toArray(String[]::new));
    }

    /** Starts the container again after {@link #stop}, as a pod's restart would. */
    void startAgain() throws Exception {
        podman(Duration.ofMinutes(1), "start", name);
    }

    /** Sends SIGTERM, waits at most the pod's grace period for the exit (then SIGKILL), and returns its exit code. */
    int stop() throws Exception {
        podman(Duration.ofSeconds(graceSeconds + 30L), "stop", "-t", String.valueOf(graceSeconds), name);
        return Integer.parseInt(podman(Duration.ofMinutes(1), "inspect", "--format", "{{.State.ExitCode}}", name)
                .strip());
    }

    /** The container's output so far: the gateway's JSON log lines. */
    String logs() throws Exception {
        return podman(Duration.ofMinutes(1), "logs", name);
    }

    /** Removes the container, its output kept in {@code <name>.log} of the directory it was given. */
    @Override
    public void close() throws Exception {
        Files.writeString(directory.resolve(name + ".log"), logs());
        podman(Duration.ofMinutes(2), "rm", "--force", "--ignore", "--time", "0", name);
    }

    private String podman(Duration timeout, String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(PODMAN));
        command.addAll(List.of(arguments));
        Command run = Command.run(directory, Map.of(), timeout, command);
        assertThat(run.exitCode()).as(command + ": " + run.output()).isZero();
        return run.output();
    }
}
