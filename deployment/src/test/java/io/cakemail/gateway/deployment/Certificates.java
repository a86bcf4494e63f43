package io.cakemail.gateway.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** Certificates made with openssl, in the shape of a {@code kubernetes.io/tls} Secret's files. */
final class Certificates {

    private Certificates() {}

    /**
     * A self-signed P-256 certificate for {@code host} in {@code dir} ({@code tls.crt}, {@code tls.key}), readable by
     * any user, as a Secret volume's files are by the pod's; returns {@code dir}.
     */
    static Path selfSigned(Path dir, String host) throws Exception {
        Files.createDirectories(dir);
        Path cert = dir.resolve("tls.crt");
        Path key = dir.resolve("tls.key");
        Command openssl = Command.run(
                dir,
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-nodes",
                "-days",
                "30",
                "-subj",
                "/CN=" + host,
                "-keyout",
                key.toString(),
                "-out",
                cert.toString());
        assertThat(openssl.exitCode()).as(openssl.output()).isZero();
        for (Path file : new Path[] {cert, key}) {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        }
        return dir;
    }
}
