package io.cakemail.gateway.server;

import io.cakemail.gateway.server.config.GatewayConfig;
import io.cakemail.gateway.testkit.GatewayExtension;
import io.cakemail.gateway.testkit.RedisServer;
import io.cakemail.sandbox.CakemailSandbox;
import io.cakemail.sandbox.SandboxConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The test kit's extension with the three kinds of gateway these tests start, each closed after the test (or the
 * class) that started it: {@linkplain #inProcess the whole gateway in the test's JVM}, {@linkplain #scripted its
 * listeners with scripted services}, {@linkplain #forked the whole gateway in a process of its own}, and what they
 * stand on: {@linkplain #sandbox a sandbox as the API} and {@linkplain #redis a real Redis}. Settings are
 * {@code GATEWAY_*} names and values over {@linkplain #config the test defaults}.
 */
final class Gateways extends GatewayExtension {

    /** The whole gateway with its embedded sandbox. */
    InProcessGateway inProcess(String... settings) throws Exception {
        return manage(new InProcessGateway(settings));
    }

    /** The whole gateway with {@code api} as its API. */
    InProcessGateway inProcess(CakemailSandbox api, String... settings) throws Exception {
        return manage(new InProcessGateway(api, settings));
    }

    /** The listeners with scripted services, answering from another thread. */
    ScriptedGateway scripted(String... settings) throws Exception {
        ScriptedGateway.Spec spec = ScriptedGateway.spec();
        for (int i = 0; i < settings.length; i += 2) {
            spec.with(settings[i], settings[i + 1]);
        }
        return scripted(spec);
    }

    ScriptedGateway scripted(ScriptedGateway.Spec spec) throws Exception {
        return manage(spec.start());
    }

    /** The whole gateway in a process of its own, {@code api} as its API. */
    ForkedGateway forked(CakemailSandbox api, String... settings) throws Exception {
        return forked(List.of(), List.of(), api, settings);
    }

    /** The same, with JVM options, its command run by {@code launcher} (such as {@code prlimit --nofile=512 --}). */
    ForkedGateway forked(List<String> launcher, List<String> jvmOptions, CakemailSandbox api, String... settings)
            throws Exception {
        return manage(ForkedGateway.start(launcher, jvmOptions, api.baseUri(), settings));
    }

    /**
     * A forked gateway of a fleet: {@code redis} shared with the others, loopback not exempt from the per-client
     * limits, a short API deadline and drain.
     */
    ForkedGateway inFleet(CakemailSandbox api, RedisServer redis, String... settings) throws Exception {
        List<String> all = new ArrayList<>(List.of(
                "GATEWAY_REDIS_URL", redis.url().toString(),
                "GATEWAY_LIMITS_EXEMPT_CIDRS", "192.0.2.0/24",
                "GATEWAY_API_DEADLINE", "10s",
                "GATEWAY_DRAIN_TIMEOUT", "10s"));
        all.addAll(List.of(settings));
        return forked(api, all.toArray(String[]::new));
    }

    /** A sandbox on an ephemeral loopback port, as the API of gateways the test starts. */
    CakemailSandbox sandbox() throws Exception {
        return sandbox(SandboxConfig.defaults());
    }

    CakemailSandbox sandbox(SandboxConfig config) throws Exception {
        return manage(CakemailSandbox.start(config, "127.0.0.1", 0));
    }

    /** A sandbox on {@code port}, such as one started again where the last one stopped. */
    CakemailSandbox sandbox(int port) throws Exception {
        return manage(CakemailSandbox.start(SandboxConfig.defaults(), "127.0.0.1", port));
    }

    /**
     * A configuration for tests, read from the environment as the gateway's is: loopback, ephemeral ports, an API
     * that does not listen, and {@code overrides} ({@code NAME, value} pairs; a {@code null} value removes the name).
     */
    static GatewayConfig config(String... overrides) {
        Map<String, String> env = new HashMap<>(Map.ofEntries(
                Map.entry("GATEWAY_BIND_ADDRESS", "127.0.0.1"),
                Map.entry("GATEWAY_SMTP_PORT", "0"),
                Map.entry("GATEWAY_SMTPS_PORT", "0"),
                Map.entry("GATEWAY_HTTP_PORT", "0"),
                Map.entry("GATEWAY_SANDBOX_PORT", "0"),
                Map.entry("GATEWAY_API_URL", "http://127.0.0.1:1"),
                Map.entry("GATEWAY_API_H2C", "true"),
                Map.entry("GATEWAY_API_MAX_CONNECTIONS", "2"),
                Map.entry("GATEWAY_API_DEADLINE", "10s"),
                Map.entry("GATEWAY_DRAIN_DELAY", "0s"),
                Map.entry("GATEWAY_DRAIN_TIMEOUT", "30s"),
                Map.entry("GATEWAY_IO_THREADS", "2"),
                Map.entry("GATEWAY_MAX_CONNECTIONS", "10000"),
                Map.entry("GATEWAY_MEMORY_BUDGET", "256MiB"),
                Map.entry("GATEWAY_HOSTNAME", "gateway.test")));
        for (int i = 0; i < overrides.length; i += 2) {
            if (overrides[i + 1] == null) {
                env.remove(overrides[i]);
            } else {
                env.put(overrides[i], overrides[i + 1]);
            }
        }
        return GatewayConfig.fromEnvironment(env);
    }
}
