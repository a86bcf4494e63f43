package io.cakemail.gateway.server;

import com.github.benmanes.caffeine.cache.Ticker;
import io.cakemail.gateway.core.api.ApiServices;
import io.cakemail.gateway.core.api.CakemailClient;
import io.cakemail.gateway.core.memory.MemoryBudget;
import io.cakemail.gateway.server.admin.AdminServer;
import io.cakemail.gateway.server.admin.ApiMeters;
import io.cakemail.gateway.server.admin.GatewayHealth;
import io.cakemail.gateway.server.admin.RuntimeMeters;
import io.cakemail.gateway.server.bridge.CakemailAuthenticator;
import io.cakemail.gateway.server.bridge.CakemailReceiver;
import io.cakemail.gateway.server.bridge.DeliveryLog;
import io.cakemail.gateway.server.config.GatewayConfig;
import io.cakemail.gateway.server.config.ServerSettings;
import io.cakemail.gateway.server.config.StartupException;
import io.cakemail.gateway.server.listen.EventLoops;
import io.cakemail.gateway.server.listen.GatewayServer;
import io.cakemail.gateway.server.listen.OptionalProxyHeader;
import io.cakemail.gateway.server.redis.Fleet;
import io.cakemail.sandbox.CakemailSandbox;
import io.cakemail.sandbox.SandboxConfig;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.internal.PlatformDependent;
import java.net.URI;
import java.time.Duration;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The whole gateway, assembled from its configuration: the sandbox API when asked for, the Cakemail API client,
 * the SMTP listeners wired to it, and the operator's HTTP port (health and metrics). Closing it fails readiness,
 * then drains the listeners.
 */
public final class Gateway implements AutoCloseable {

    private static final Logger log = LogManager.getLogger(Gateway.class);

    private final EventLoops loops;
    private final CakemailSandbox sandbox;
    private final CakemailClient client;
    /** What the fleet shares through Redis, or {@code null} when each pod keeps its own state. */
    private final Fleet fleet;

    private final GatewayServer server;
    private final AdminServer admin;
    private final GatewayHealth health;
    private final RuntimeMeters runtimeMeters;
    private final Duration drainDelay;

    private Gateway(
            EventLoops loops,
            CakemailSandbox sandbox,
            CakemailClient client,
            Fleet fleet,
            GatewayServer server,
            AdminServer admin,
            GatewayHealth health,
            RuntimeMeters runtimeMeters,
            Duration drainDelay) {
        this.loops = loops;
        this.sandbox = sandbox;
        this.client = client;
        this.fleet = fleet;
        this.server = server;
        this.admin = admin;
        this.health = health;
        this.runtimeMeters = runtimeMeters;
        this.drainDelay = drainDelay;
    }

    /** Starts everything {@code config} describes; {@code registry} holds its meters and serves {@code /metrics}. */
    public static Gateway start(GatewayConfig config, PrometheusMeterRegistry registry) throws Exception {
        EventLoops loops = new EventLoops(config.ioThreads());
        CakemailSandbox sandbox = null;
        CakemailClient client = null;
        AdminServer admin = null;
        Fleet fleet = null;
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
            fleet = Fleet.start(config, registry, loops.workers());
            client = new CakemailClient(
                    config.api().toBuilder(apiUrl).build(),
                    new ApiServices(
                            Ticker.systemTicker(), new ApiMeters(registry), fleet == null ? null : fleet.ledger),
                    loops.workers());
            log.info(
                    "Cakemail API: {} ({})",
                    apiUrl,
                    apiUrl.getScheme().equals("https")
                            ? "h2 or HTTP/1.1 by ALPN"
                            : config.api().h2c() ? "h2c" : "HTTP/1.1");
            GatewayHealth health = new GatewayHealth(client);
            admin = AdminServer.start(
                    config.bindAddress(),
                    config.httpPort(),
                    loops.workers(),
                    registry,
                    health,
                    AdminServer.IDLE_TIMEOUT,
                    OptionalProxyHeader.installer(config.proxy(), registry));
            log.info("Health and metrics on http://{}:{}/health and /metrics", config.bindAddress(), admin.port());
            MemoryBudget budget = memoryBudget(config, registry);
            CakemailReceiver receiver = new CakemailReceiver(
                    client, config.transform(), PooledByteBufAllocator.DEFAULT, budget, new DeliveryLog(registry));
            GatewayServer server = GatewayServer.start(
                    config,
                    loops,
                    registry,
                    new CakemailAuthenticator(client),
                    receiver,
                    fleet == null ? null : fleet.limits);
            stateGauges(registry, server, client, health);
            RuntimeMeters runtime = new RuntimeMeters(registry);
            health.listening(server); // ready: every meter is there for the first scrape that follows
            return new Gateway(loops, sandbox, client, fleet, server, admin, health, runtime, config.drainDelay());
        } catch (Exception | Error e) {
            if (admin != null) {
                admin.close();
            }
            if (client != null) {
                client.close();
            }
            if (fleet != null) {
                fleet.close();
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
                    ServerSettings.SANDBOX_PORT.name() + ": " + config.sandboxPort() + " cannot be bound on "
                            + config.sandboxBindAddress() + " (" + e.getMessage() + ")",
                    e);
        }
    }

    /**
     * {@code smtp.active.connections} (open SMTP sessions), {@code smtp.circuit.breaker.state} (0 closed, 1
     * half-open, 2 open, the API's circuit breaker), {@code smtp.api.token.cache.size} and
     * {@code gateway.draining.seconds} (how long the drain has lasted, 0 before one).
     */
    private static void stateGauges(
            MeterRegistry registry, GatewayServer server, CakemailClient client, GatewayHealth health) {
        Gauge.builder("gateway.draining.seconds", health, GatewayHealth::drainingSeconds)
                .baseUnit("seconds")
                .description("Seconds since the drain started, 0 before one")
                .register(registry);
        Gauge.builder("smtp.active.connections", server, GatewayServer::connections)
                .description("SMTP sessions open now")
                .register(registry);
        Gauge.builder("smtp.circuit.breaker.state", client, c -> switch (c.circuitState()) {
                    case CLOSED, DISABLED, METRICS_ONLY -> 0;
                    case HALF_OPEN -> 1;
                    case OPEN, FORCED_OPEN -> 2;
                })
                .description("The API circuit breaker: 0 closed, 1 half-open, 2 open")
                .register(registry);
        Gauge.builder("smtp.api.token.cache.size", client, CakemailClient::cachedTokens)
                .description("Logins whose Cakemail access tokens are cached")
                .register(registry);
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

    /** The port of the health and metrics endpoints. */
    public int httpPort() {
        return admin.port();
    }

    /**
     * Drains and stops: readiness fails at once, the listeners keep accepting for the drain delay (the load balancer
     * sees the failed probe and stops sending), then the SMTP server drains ({@link GatewayServer#close}). Blocks for
     * all of it: call it from a thread of its own, such as a shutdown hook, never an event loop.
     */
    @Override
    public void close() {
        health.draining();
        if (drainDelay.compareTo(Duration.ZERO) > 0) {
            log.info("Draining: readiness fails now; the SMTP listeners stop accepting in {}", drainDelay);
            try {
                Thread.sleep(drainDelay.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // go on with the drain at once
            }
        }
        server.close();
        client.close();
        if (fleet != null) {
            fleet.close();
        }
        if (sandbox != null) {
            sandbox.close();
        }
        admin.close();
        runtimeMeters.close();
        loops.close();
    }
}
