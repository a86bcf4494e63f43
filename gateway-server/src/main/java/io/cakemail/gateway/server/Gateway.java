package io.cakemail.gateway.server;

import io.cakemail.gateway.core.api.CakemailClient;
import io.cakemail.gateway.core.submission.MemoryBudget;
import io.cakemail.sandbox.CakemailSandbox;
import io.cakemail.sandbox.SandboxConfig;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.internal.PlatformDependent;
import java.net.URI;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The whole gateway, assembled from its configuration: the sandbox API when asked for, the Cakemail API client,
 * and the SMTP listeners wired to it. Closing it drains the listeners first.
 */
public final class Gateway implements AutoCloseable {

    private static final Logger log = LogManager.getLogger(Gateway.class);

    private final EventLoops loops;
    private final CakemailSandbox sandbox;
    private final CakemailClient client;
    private final GatewayServer server;

    private Gateway(EventLoops loops, CakemailSandbox sandbox, CakemailClient client, GatewayServer server) {
        this.loops = loops;
        this.sandbox = sandbox;
        this.client = client;
        this.server = server;
    }

    /** Starts everything {@code config} describes. */
    public static Gateway start(GatewayConfig config, MeterRegistry registry) throws Exception {
        EventLoops loops = new EventLoops(config.ioThreads());
        CakemailSandbox sandbox = null;
        CakemailClient client = null;
        try {
            String sandboxHost = config.sandboxBindAddress().equals("0.0.0.0")
                            || config.sandboxBindAddress().equals("::")
                    ? "127.0.0.1"
                    : config.sandboxBindAddress();
            if (config.sandbox()) {
                sandbox = startSandbox(config);
                log.info(
                        "Sandbox API and inbox on http://{}:{}/ (login {} / {})",
                        sandboxHost,
                        sandbox.port(),
                        SandboxConfig.DEFAULT_USERNAME,
                        SandboxConfig.DEFAULT_PASSWORD);
            }
            URI apiUrl = config.effectiveApiUrl(
                    sandbox == null
                            ? null
                            : URI.create("http://" + (sandboxHost.contains(":") ? "[" + sandboxHost + "]" : sandboxHost)
                                    + ":" + sandbox.port()));
            client = new CakemailClient(config.api().toBuilder(apiUrl).build(), loops.workers());
            log.info(
                    "Cakemail API: {} ({})",
                    apiUrl,
                    apiUrl.getScheme().equals("https")
                            ? "h2 or HTTP/1.1 by ALPN"
                            : config.api().h2c() ? "h2c" : "HTTP/1.1");
            MemoryBudget budget = memoryBudget(config, registry);
            CakemailReceiver receiver = new CakemailReceiver(
                    client, config.transform(), PooledByteBufAllocator.DEFAULT, budget, new DeliveryLog(registry));
            GatewayServer server =
                    GatewayServer.start(config, loops, registry, new CakemailAuthenticator(client), receiver);
            return new Gateway(loops, sandbox, client, server);
        } catch (Exception | Error e) {
            if (client != null) {
                client.close();
            }
            if (sandbox != null) {
                sandbox.close();
            }
            loops.close();
            throw e;
        }
    }

    private static CakemailSandbox startSandbox(GatewayConfig config) throws StartupException {
        try {
            return CakemailSandbox.start(SandboxConfig.defaults(), config.sandboxBindAddress(), config.sandboxPort());
        } catch (Exception e) {
            throw new StartupException(
                    "GATEWAY_SANDBOX_PORT: " + config.sandboxPort() + " cannot be bound on "
                            + config.sandboxBindAddress() + " (" + e.getMessage() + ")",
                    e);
        }
    }

    /** The budget, as the meters {@code gateway.content.memory.limit}, {@code .used} and {@code .refusals}. */
    private static MemoryBudget memoryBudget(GatewayConfig config, MeterRegistry registry) {
        MemoryBudget budget =
                new MemoryBudget(config.memoryBudget() > 0 ? config.memoryBudget() : MemoryBudget.defaultCapacity());
        Gauge.builder("gateway.content.memory.limit", budget, MemoryBudget::capacity)
                .baseUnit(BaseUnits.BYTES)
                .description("Octets of message content all messages in flight may hold")
                .register(registry);
        Gauge.builder("gateway.content.memory.used", budget, MemoryBudget::used)
                .baseUnit(BaseUnits.BYTES)
                .description("Octets of message content held now")
                .register(registry);
        FunctionCounter.builder("gateway.content.memory.refusals", budget, MemoryBudget::refusals)
                .description("Messages that found no room in the memory budget")
                .register(registry);
        log.info(
                "Memory budget for message content: {} MiB (the JVM allows {} MiB of direct memory)",
                budget.capacity() >> 20,
                PlatformDependent.maxDirectMemory() >> 20);
        return budget;
    }

    public GatewayServer server() {
        return server;
    }

    /** The in-process sandbox, or {@code null} when the gateway talks to another API. */
    public CakemailSandbox sandbox() {
        return sandbox;
    }

    @Override
    public void close() {
        server.close();
        client.close();
        if (sandbox != null) {
            sandbox.close();
        }
        loops.close();
    }
}
