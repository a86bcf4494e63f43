package io.cakemail.gateway.server.config;

import io.cakemail.gateway.common.Setting;
import io.cakemail.gateway.common.SettingTable;
import io.cakemail.gateway.core.api.ApiConfig;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The settings of the gateway's own parts: its listeners and their TLS, the PROXY protocol, the sandbox, Redis, the
 * memory budget, logging and shutdown. Their defaults are written here, as no other type holds them. The names others
 * print (in a bind failure, a refused PROXY header) are public.
 */
public final class ServerSettings {

    public static final Setting<Integer> SMTP_PORT =
            Setting.port("GATEWAY_SMTP_PORT", 2587, "Submission listener, STARTTLS (use 587 in production)");
    public static final Setting<Integer> SMTPS_PORT =
            Setting.port("GATEWAY_SMTPS_PORT", 2465, "Implicit TLS listener (use 465 in production)");
    public static final Setting<Integer> HTTP_PORT = Setting.port(
            "GATEWAY_HTTP_PORT", 8080, "HTTP port of /health/live, /health/ready, /health and /metrics (Prometheus)");
    public static final Setting<Path> TLS_CERT = Setting.fileToRead(
            "GATEWAY_TLS_CERT",
            "PEM certificate chain; without it a self-signed one is generated. Not there yet (with its key): a"
                    + " self-signed one serves, not ready, until both files appear");
    public static final Setting<Path> TLS_KEY =
            Setting.fileToRead("GATEWAY_TLS_KEY", "PEM private key (PKCS#8 or PKCS#1) of GATEWAY_TLS_CERT");
    public static final Setting<Subnets> PROXY_TRUSTED_CIDRS = Subnets.setting(
            "GATEWAY_PROXY_TRUSTED_CIDRS",
            "",
            "The load balancer's addresses, the only peers allowed to send a PROXY header (required when on)");
    public static final Setting<URI> API_URL = Setting.httpUrl(
                    "GATEWAY_API_URL",
                    ApiConfig.CAKEMAIL_API,
                    "Cakemail API base URL (the sandbox's when GATEWAY_SANDBOX=true and this is unset)")
            .withoutDefault(ApiConfig.CAKEMAIL_API + ", or the sandbox's");
    public static final Setting<Boolean> SANDBOX =
            Setting.flag("GATEWAY_SANDBOX", false, "Start the local sandbox API and its inbox page (true/false)");
    public static final Setting<Integer> SANDBOX_PORT =
            Setting.port("GATEWAY_SANDBOX_PORT", 8025, "Port of the local sandbox API and inbox");
    public static final Setting<Integer> MAX_CONNECTIONS =
            Setting.integer("GATEWAY_MAX_CONNECTIONS", 1000, 1, "Concurrent SMTP connections, both listeners together");
    static final Setting<Duration> DRAIN_TIMEOUT = Setting.duration(
            "GATEWAY_DRAIN_TIMEOUT",
            Duration.ofSeconds(60),
            "On SIGTERM, longest wait for sessions to finish; at least GATEWAY_API_DEADLINE");

    static final SettingTable<GatewayConfig.Builder> TABLE = SettingTable.<GatewayConfig.Builder>of()
            .row(SMTP_PORT, (gateway, port) -> gateway.smtpPort = port)
            .row(SMTPS_PORT, (gateway, port) -> gateway.smtpsPort = port)
            .row(HTTP_PORT, (gateway, port) -> gateway.httpPort = port)
            .row(
                    Setting.text("GATEWAY_BIND_ADDRESS", "0.0.0.0", "Address the listeners bind"),
                    (gateway, address) -> gateway.bindAddress = address)
            .row(TLS_CERT, (gateway, path) -> gateway.tlsCert = path)
            .row(TLS_KEY, (gateway, path) -> gateway.tlsKey = path)
            .row(
                    Setting.duration("GATEWAY_TLS_HANDSHAKE_TIMEOUT", Duration.ofSeconds(10), "Longest TLS handshake"),
                    (gateway, timeout) -> gateway.tlsHandshakeTimeout = timeout)
            .row(
                    Setting.durationOrZero(
                            "GATEWAY_TLS_RELOAD_INTERVAL",
                            Duration.ofSeconds(30),
                            "How often GATEWAY_TLS_CERT and GATEWAY_TLS_KEY are read for a renewed pair (0s: never)"),
                    (gateway, interval) -> gateway.tlsReloadInterval = interval)
            .row(
                    Setting.choice(
                            "GATEWAY_PROXY_PROTOCOL",
                            Switch.OFF,
                            Switch.class,
                            "on: both listeners expect a PROXY protocol header (v1 or v2) from the load balancer"
                                    + " first"),
                    (gateway, on) -> gateway.proxyProtocol = on == Switch.ON)
            .row(PROXY_TRUSTED_CIDRS, (gateway, subnets) -> gateway.proxyTrusted = subnets)
            .row(
                    Setting.duration(
                            "GATEWAY_PROXY_TIMEOUT",
                            Duration.ofSeconds(10),
                            "Longest wait for the PROXY header of a new connection"),
                    (gateway, timeout) -> gateway.proxyTimeout = timeout)
            .row(API_URL, (gateway, url) -> gateway.apiUrl = url)
            .row(SANDBOX, (gateway, on) -> gateway.sandbox = on)
            .row(SANDBOX_PORT, (gateway, port) -> gateway.sandboxPort = port)
            .row(
                    Setting.text(
                            "GATEWAY_SANDBOX_BIND_ADDRESS",
                            "127.0.0.1",
                            "Address the sandbox binds (its fault and delete endpoints have no authentication)"),
                    (gateway, address) -> gateway.sandboxBindAddress = address)
            .row(
                    Setting.durationOrZero(
                            "GATEWAY_DRAIN_DELAY",
                            Duration.ofSeconds(5),
                            "On SIGTERM, how long the listeners keep accepting after readiness fails, so the load"
                                    + " balancer stops sending first"),
                    (gateway, delay) -> gateway.drainDelay = delay)
            .row(DRAIN_TIMEOUT, (gateway, timeout) -> gateway.drainTimeout = timeout)
            .checkedOnly(Setting.choice(
                    "GATEWAY_LOG_LEVEL", LogLevel.INFO, LogLevel.class, "Log level: trace, debug, info, warn or error"))
            .checkedOnly(Setting.choice(
                    "GATEWAY_LOG_FORMAT",
                    LogFormat.TEXT,
                    LogFormat.class,
                    "Log lines as readable text, or json: one ECS JSON object a line, with session.id and event"
                            + " fields"))
            .row(
                    Setting.redisUrl(
                            "GATEWAY_REDIS_URL",
                            "Redis shared by the fleet for the no-resend ledger (rediss:// for TLS); without it, each"
                                    + " pod keeps its own"),
                    (gateway, url) -> gateway.redisUrl = url)
            .row(
                    Setting.duration(
                            "GATEWAY_REDIS_TIMEOUT", Duration.ofMillis(500), "Longest wait for a Redis command"),
                    (gateway, timeout) -> gateway.redisTimeout = timeout)
            .row(
                    Setting.choice(
                            "GATEWAY_REDIS_LEDGER_ON_FAILURE",
                            FailureMode.CLOSED,
                            FailureMode.class,
                            "Redis unreachable: closed defers messages (451, never a resend), open sends them (a rare"
                                    + " duplicate)"),
                    (gateway, mode) -> gateway.redisLedgerFailOpen = mode == FailureMode.OPEN)
            .row(MAX_CONNECTIONS, (gateway, count) -> gateway.maxConnections = count)
            .row(
                    Setting.integer("GATEWAY_IO_THREADS", 0, 0, "Event loop threads; 0 means one per core"),
                    (gateway, count) -> gateway.ioThreads = count)
            .row(
                    Setting.size(
                                    "GATEWAY_MEMORY_BUDGET",
                                    1,
                                    "Octets of message content all messages in flight may hold; past it, 452 4.3.1")
                            .withoutDefault("half the JVM's direct memory"),
                    (gateway, octets) -> gateway.memoryBudget = octets);

    private ServerSettings() {}

    /** A setting that is off or on. */
    enum Switch {
        OFF,
        ON
    }

    /** What to do when shared state cannot be read: refuse for now ({@code closed}) or go on ({@code open}). */
    enum FailureMode {
        CLOSED,
        OPEN
    }

    /** The values of {@code GATEWAY_LOG_LEVEL}, which the logging configuration reads itself. */
    enum LogLevel {
        TRACE,
        DEBUG,
        INFO,
        WARN,
        ERROR
    }

    /** The values of {@code GATEWAY_LOG_FORMAT}, which the logging configuration reads itself. */
    enum LogFormat {
        TEXT,
        JSON
    }
}
