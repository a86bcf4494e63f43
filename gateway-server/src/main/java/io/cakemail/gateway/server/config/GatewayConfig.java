package io.cakemail.gateway.server.config;

import io.cakemail.gateway.common.Setting;
import io.cakemail.gateway.core.api.ApiConfig;
import io.cakemail.gateway.core.memory.MemoryBudget;
import io.cakemail.gateway.core.transform.TransformConfig;
import io.cakemail.gateway.smtp.SmtpServerConfig;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The gateway's configuration, read from environment variables once at start. Each room's settings are a table of
 * their own ({@link ServerSettings}, {@link ClientLimitSettings}, {@link SmtpSettings}, {@link TransformSettings},
 * {@link ApiSettings}): a variable's name, default, parser and documentation, and the builder setter it feeds. Every
 * variable is validated; all problems are reported together, each naming the variable and the form it expects.
 *
 * @param bindAddress the address the listeners bind
 * @param smtpPort the submission port (STARTTLS)
 * @param smtpsPort the implicit TLS port
 * @param httpPort the port of the HTTP endpoints (health, metrics)
 * @param tlsCert the PEM certificate chain, or {@code null} to generate a self-signed certificate
 * @param tlsKey the PEM private key (PKCS#8 or PKCS#1), or {@code null} with {@code tlsCert}
 * @param tlsHandshakeTimeout how long a TLS handshake may take
 * @param apiUrl the Cakemail API base URL as configured, or {@code null} when not set (see {@link #effectiveApiUrl})
 * @param sandbox whether to start the local sandbox API
 * @param sandboxPort the port of the local sandbox API
 * @param sandboxBindAddress the address the local sandbox API binds: loopback unless told otherwise, as its fault
 *                           and delete endpoints have no authentication
 * @param maxConnections the most concurrent SMTP connections over both listeners
 * @param limits the limits on each client
 * @param redis the Redis the fleet shares, if any
 * @param ioThreads the number of event loop threads, 0 for one per core
 * @param memoryBudget the octets of message content all messages in flight together may hold, or 0 for half the
 *                     JVM's direct memory ({@link MemoryBudget#defaultCapacity}, worked out when the gateway starts:
 *                     reading the configuration loads neither Netty nor the logging it would set up)
 * @param tlsReloadInterval how often the certificate and key files are read again for a renewed pair, or zero for
 *                          never
 * @param proxy the PROXY protocol in front of the listeners
 * @param drainDelay how long a shutdown keeps the listeners accepting after readiness fails
 * @param drainTimeout how long a shutdown waits for sessions to finish before closing them: at least the API
 *                     deadline, so no reply the API's answer decides is lost
 * @param smtp the SMTP session limits
 * @param transform the MIME limits and the transformer's policies
 * @param api how to talk to the API; its base URI is {@link #effectiveApiUrl}'s only once the gateway starts
 */
public record GatewayConfig(
        String bindAddress,
        int smtpPort,
        int smtpsPort,
        int httpPort,
        Path tlsCert,
        Path tlsKey,
        Duration tlsHandshakeTimeout,
        Duration tlsReloadInterval,
        ProxyProtocol proxy,
        URI apiUrl,
        boolean sandbox,
        int sandboxPort,
        String sandboxBindAddress,
        int maxConnections,
        Limits limits,
        Redis redis,
        int ioThreads,
        long memoryBudget,
        Duration drainDelay,
        Duration drainTimeout,
        SmtpServerConfig smtp,
        TransformConfig transform,
        ApiConfig api) {

    /** {@code GATEWAY_API_URL} if set, else the sandbox's URL when the sandbox runs, else the production API. */
    public URI effectiveApiUrl(URI sandboxUrl) {
        return apiUrl != null ? apiUrl : sandbox ? sandboxUrl : ApiConfig.CAKEMAIL_API;
    }

    /** This configuration with other SMTP session settings. */
    public GatewayConfig withSmtp(SmtpServerConfig other) {
        return new GatewayConfig(
                bindAddress,
                smtpPort,
                smtpsPort,
                httpPort,
                tlsCert,
                tlsKey,
                tlsHandshakeTimeout,
                tlsReloadInterval,
                proxy,
                apiUrl,
                sandbox,
                sandboxPort,
                sandboxBindAddress,
                maxConnections,
                limits,
                redis,
                ioThreads,
                memoryBudget,
                drainDelay,
                drainTimeout,
                other,
                transform,
                api);
    }

    /** Every setting, room by room, in the order the documentation lists them. */
    public static final List<Setting<?>> SETTINGS = Stream.of(
                    ServerSettings.TABLE,
                    ClientLimitSettings.TABLE,
                    SmtpSettings.TABLE,
                    TransformSettings.TABLE,
                    ApiSettings.TABLE)
            .flatMap(table -> table.settings().stream())
            .toList();

    /** Reads and validates the configuration from {@code variables} (normally {@code System.getenv()}). */
    public static GatewayConfig fromEnvironment(Map<String, String> variables) {
        Environment env = new Environment(variables);
        Builder gateway = env.fill(ClientLimitSettings.TABLE, env.fill(ServerSettings.TABLE, new Builder()));
        SmtpServerConfig smtp =
                env.fill(SmtpSettings.TABLE, SmtpServerConfig.builder()).build();
        TransformConfig transform =
                env.fill(TransformSettings.TABLE, TransformConfig.builder()).build();
        ApiConfig.Builder api = ApiConfig.builder(gateway.apiUrl != null ? gateway.apiUrl : ApiConfig.CAKEMAIL_API)
                .h2c(gateway.sandbox && gateway.apiUrl == null);
        ApiConfig apiConfig = env.fill(ApiSettings.TABLE, api).build();
        checkTogether(env, gateway, apiConfig);
        env.failOnProblems();
        return gateway.build(smtp, transform, apiConfig);
    }

    /** The problems no single setting shows: two that contradict each other. */
    private static void checkTogether(Environment env, Builder gateway, ApiConfig api) {
        if (gateway.smtpPort == gateway.smtpsPort && gateway.smtpPort != 0) {
            env.problem(ServerSettings.SMTP_PORT.name() + " and " + ServerSettings.SMTPS_PORT.name() + ": both "
                    + gateway.smtpPort + " (expected: two ports)");
        }
        if (env.isSet(ServerSettings.TLS_CERT) != env.isSet(ServerSettings.TLS_KEY)) {
            env.problem(ServerSettings.TLS_CERT.name() + " and " + ServerSettings.TLS_KEY.name()
                    + ": only one is set (expected: both or neither)");
        }
        if (gateway.proxyProtocol && gateway.proxyTrusted.isEmpty()) {
            env.problem(ServerSettings.PROXY_TRUSTED_CIDRS.name() + ": empty while GATEWAY_PROXY_PROTOCOL is on"
                    + " (expected: the load balancer's addresses, e.g. 10.0.0.0/8; a header from anyone else is"
                    + " refused)");
        }
        if (gateway.drainTimeout.compareTo(api.messageDeadline()) < 0) {
            env.problem(ServerSettings.DRAIN_TIMEOUT.name() + ": " + env.text(ServerSettings.DRAIN_TIMEOUT)
                    + " (expected: at least " + ApiSettings.DEADLINE.name() + ", " + env.text(ApiSettings.DEADLINE)
                    + ", so a shutdown never closes a session whose message the API may still accept)");
        }
    }

    /** Every setting as {@code NAME=value}, defaults included, for the start-up log; nothing in them is secret. */
    public static List<String> effectiveSettings(Map<String, String> variables) {
        Environment env = new Environment(variables);
        SETTINGS.forEach(env::get);
        return env.effective();
    }

    /**
     * The gateway's own values as the settings' rows fill them ({@link ServerSettings}, {@link ClientLimitSettings}),
     * before the configuration is put together; each row sets every field it owns, default or not.
     */
    static final class Builder {
        String bindAddress;
        int smtpPort;
        int smtpsPort;
        int httpPort;
        Path tlsCert;
        Path tlsKey;
        Duration tlsHandshakeTimeout;
        Duration tlsReloadInterval;
        boolean proxyProtocol;
        Subnets proxyTrusted;
        Duration proxyTimeout;
        URI apiUrl;
        boolean sandbox;
        int sandboxPort;
        String sandboxBindAddress;
        int maxConnections;
        int connectionsPerClient;
        int messagesPerMinute;
        int loginMessagesPerMinute;
        int authFailures;
        Duration authFailureWindow;
        Duration blockDuration;
        int ipv6Prefix;
        Subnets exempt;
        URI redisUrl;
        Duration redisTimeout;
        boolean redisLedgerFailOpen;
        int ioThreads;
        long memoryBudget;
        Duration drainDelay;
        Duration drainTimeout;

        GatewayConfig build(SmtpServerConfig smtp, TransformConfig transform, ApiConfig api) {
            return new GatewayConfig(
                    bindAddress,
                    smtpPort,
                    smtpsPort,
                    httpPort,
                    tlsCert,
                    tlsKey,
                    tlsHandshakeTimeout,
                    tlsReloadInterval,
                    new ProxyProtocol(proxyProtocol, proxyTrusted, proxyTimeout),
                    apiUrl,
                    sandbox,
                    sandboxPort,
                    sandboxBindAddress,
                    maxConnections,
                    new Limits(
                            connectionsPerClient,
                            messagesPerMinute,
                            loginMessagesPerMinute,
                            authFailures,
                            authFailureWindow,
                            blockDuration,
                            ipv6Prefix,
                            exempt),
                    new Redis(redisUrl, redisTimeout, redisLedgerFailOpen),
                    ioThreads,
                    memoryBudget,
                    drainDelay,
                    drainTimeout,
                    smtp,
                    transform,
                    api);
        }
    }

    /**
     * The PROXY protocol in front of the listeners.
     *
     * @param enabled whether every connection must start with a header
     * @param trusted the peers allowed to send one: the load balancer's addresses
     * @param headerTimeout the longest wait for the header
     */
    public record ProxyProtocol(boolean enabled, Subnets trusted, Duration headerTimeout) {}

    /**
     * The limits on each client address (or IPv6 prefix), across its sessions.
     *
     * @param connectionsPerClient concurrent connections
     * @param messagesPerMinute messages started a minute, 0 for no limit
     * @param loginMessagesPerMinute messages started a minute by one login, 0 for no limit
     * @param authFailures failed logins within {@code authFailureWindow} that block the address, 0 for never
     * @param authFailureWindow the window failed logins are counted in
     * @param blockDuration how long a blocked address is refused
     * @param ipv6Prefix the prefix length an IPv6 address is counted by
     * @param exempt the addresses no limit applies to
     */
    public record Limits(
            int connectionsPerClient,
            int messagesPerMinute,
            int loginMessagesPerMinute,
            int authFailures,
            Duration authFailureWindow,
            Duration blockDuration,
            int ipv6Prefix,
            Subnets exempt) {}

    /**
     * The Redis a fleet shares.
     *
     * @param url its URL, or {@code null} for none: each pod keeps its own state
     * @param timeout the longest wait for a command
     * @param ledgerFailOpen whether a message is sent (rather than deferred) when the ledger cannot be read
     */
    public record Redis(URI url, Duration timeout, boolean ledgerFailOpen) {}

    /** A configuration that cannot start the gateway; the message lists every problem. */
    public static final class ConfigurationException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ConfigurationException(List<String> problems) {
            super(
                    problems.size() == 1
                            ? problems.get(0)
                            : "invalid configuration:\n  " + String.join("\n  ", problems));
        }
    }
}
