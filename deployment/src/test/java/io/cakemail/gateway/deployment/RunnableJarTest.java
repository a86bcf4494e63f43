package io.cakemail.gateway.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/**
 * The runnable jar the image carries holds what runs there and no more: the natives of Linux on amd64 and arm64 (epoll,
 * BoringSSL), no HTTP/3 or QUIC, no Kotlin standard library, no post-quantum provider classes, nothing for macOS or
 * Windows. It was 51 MB with all of those; the bound keeps it from growing back unnoticed.
 */
class RunnableJarTest {

    @Test
    void theJarHoldsTheLinuxNativesAndNothingTheGatewayNeverLoads() throws IOException {
        List<String> entries;
        try (JarFile jar = new JarFile(GatewayJar.path().toFile())) {
            entries = jar.stream().map(entry -> entry.getName()).toList();
        }
        assertThat(entries)
                .contains(
                        "META-INF/native/libnetty_transport_native_epoll_x86_64.so",
                        "META-INF/native/libnetty_transport_native_epoll_aarch_64.so",
                        "META-INF/native/libnetty_tcnative_linux_x86_64.so",
                        "META-INF/native/libnetty_tcnative_linux_aarch_64.so");
        assertThat(entries)
                .filteredOn(name -> name.contains("quic")
                        || name.contains("quiche")
                        || name.startsWith("io/netty/handler/codec/http3/")
                        || name.startsWith("kotlin/")
                        || name.startsWith("org/bouncycastle/pqc/")
                        || name.endsWith(".dll")
                        || name.endsWith(".jnilib"))
                .isEmpty();
        assertThat(Files.size(GatewayJar.path())).isLessThan(35L << 20);
    }
}
