package io.cakemail.gateway.server.config;

import io.cakemail.gateway.core.api.ApiConfig;
import io.cakemail.gateway.core.memory.MemoryBudget;
import io.cakemail.gateway.core.mime.MimeLimits;
import io.cakemail.gateway.core.transform.TransformConfig;
import io.cakemail.gateway.smtp.SmtpServerConfig;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The gateway's configuration, read from environment variables once at start ({@link Settings} is the table of them,
 * with their defaults). Every variable is validated; all problems are reported together, each naming the variable
 * and the form it expects.
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

    /** Reads and validates the configuration from {@code variables} (normally {@code System.getenv()}). */
    public static GatewayConfig fromEnvironment(Map<String, String> variables) {
        Settings.Environment env = new Settings.Environment(variables);
        int smtpPort = env.get(Settings.SMTP_PORT);
        int smtpsPort = env.get(Settings.SMTPS_PORT);
        if (smtpPort == smtpsPort && smtpPort != 0) {
            env.problem("GATEWAY_SMTP_PORT and GATEWAY_SMTPS_PORT: both " + smtpPort + " (expected: two ports)");
        }
        Path tlsCert = env.get(Settings.TLS_CERT);
        Path tlsKey = env.get(Settings.TLS_KEY);
        if (env.isSet(Settings.TLS_CERT) != env.isSet(Settings.TLS_KEY)) {
            env.problem("GATEWAY_TLS_CERT and GATEWAY_TLS_KEY: only one is set (expected: both or neither)");
        }
        URI apiUrl = env.isSet(Settings.API_URL) ? env.get(Settings.API_URL) : null;
        boolean sandbox = env.get(Settings.SANDBOX);
        env.get(Settings.LOG_LEVEL); // read by the logging configuration; checked here, before logging starts
        env.get(Settings.LOG_FORMAT);
        Long budget = env.get(Settings.MEMORY_BUDGET);
        Duration drainTimeout = env.get(Settings.DRAIN_TIMEOUT);
        ApiConfig api = api(env, apiUrl, sandbox);
        if (drainTimeout.compareTo(api.messageDeadline()) < 0) {
            env.problem("GATEWAY_DRAIN_TIMEOUT: " + env.text(Settings.DRAIN_TIMEOUT) + " (expected: at least"
                    + " GATEWAY_API_DEADLINE, " + env.text(Settings.API_DEADLINE) + ", so a shutdown never closes"
                    + " a session whose message the API may still accept)");
        }
        GatewayConfig config = new GatewayConfig(
                env.get(Settings.BIND_ADDRESS),
                smtpPort,
                smtpsPort,
                env.get(Settings.HTTP_PORT),
                tlsCert,
                tlsKey,
                env.get(Settings.TLS_HANDSHAKE_TIMEOUT),
                env.get(Settings.TLS_RELOAD_INTERVAL),
                proxy(env),
                apiUrl,
                sandbox,
                env.get(Settings.SANDBOX_PORT),
                env.get(Settings.SANDBOX_BIND_ADDRESS),
                env.get(Settings.MAX_CONNECTIONS),
                limits(env),
                new Redis(
                        env.get(Settings.REDIS_URL),
                        env.get(Settings.REDIS_TIMEOUT),
                        env.get(Settings.REDIS_LEDGER_ON_FAILURE) == FailureMode.OPEN),
                env.get(Settings.IO_THREADS),
                budget == null ? 0 : budget,
                env.get(Settings.DRAIN_DELAY),
                drainTimeout,
                smtp(env),
                transform(env),
                api);
        env.failOnProblems();
        return config;
    }

    /** Every setting as {@code NAME=value}, defaults included, for the start-up log; nothing in them is secret. */
    public static List<String> effectiveSettings(Map<String, String> variables) {
        Settings.Environment env = new Settings.Environment(variables);
        Settings.ALL.forEach(env::get);
        return env.effective();
    }

    private static SmtpServerConfig smtp(Settings.Environment env) {
        SmtpServerConfig.Builder smtp = SmtpServerConfig.builder();
        env.apply(Settings.HOSTNAME, smtp::hostname);
        env.apply(Settings.MAX_MESSAGE_SIZE, smtp::maxMessageSize);
        env.apply(Settings.MAX_RECIPIENTS, smtp::maxRecipients);
        env.apply(Settings.MAX_LINE_LENGTH, smtp::maxCommandLineLength);
        env.apply(Settings.MAX_ERRORS, smtp::maxErrors);
        env.apply(Settings.MAX_AUTH_FAILURES, smtp::maxAuthFailures);
        env.apply(Settings.IDLE_TIMEOUT, smtp::idleTimeout);
        env.apply(Settings.SESSION_TIMEOUT, smtp::sessionTimeout);
        env.apply(Settings.WRITE_TIMEOUT, smtp::writeTimeout);
        env.apply(Settings.BARE_LINE_ENDINGS, smtp::bareLineEndingPolicy);
        return smtp.build();
    }

    private static TransformConfig transform(Settings.Environment env) {
        long headerSize = env.get(Settings.MAX_HEADER_SIZE);
        if (headerSize > Integer.MAX_VALUE) {
            env.problem("GATEWAY_MAX_HEADER_SIZE: " + env.text(Settings.MAX_HEADER_SIZE) + " (expected: under 2GiB)");
        }
        MimeLimits limits = new MimeLimits(
                env.get(Settings.MAX_MIME_DEPTH),
                env.get(Settings.MAX_MIME_PARTS),
                env.get(Settings.MAX_HEADER_COUNT),
                (int) Math.min(headerSize, Integer.MAX_VALUE),
                env.get(Settings.MAX_ATTACHMENT_SIZE),
                env.get(Settings.MAX_DECODED_SIZE));
        return new TransformConfig(
                limits,
                env.get(Settings.UNSUPPORTED_ATTACHMENTS),
                env.get(Settings.INLINE_IMAGES),
                env.get(Settings.MISSING_CONTENT),
                env.get(Settings.MAX_JSON_SIZE));
    }

    private static ApiConfig api(Settings.Environment env, URI apiUrl, boolean sandbox) {
        ApiConfig.Builder api = ApiConfig.DEFAULTS.toBuilder(apiUrl != null ? apiUrl : ApiConfig.CAKEMAIL_API);
        Boolean h2c = env.isSet(Settings.API_H2C) ? env.get(Settings.API_H2C) : sandbox && apiUrl == null;
        api.h2c(Boolean.TRUE.equals(h2c));
        env.apply(Settings.API_MAX_CONNECTIONS, api::maxConnections);
        env.apply(Settings.API_MAX_STREAMS, api::maxConcurrentStreams);
        env.apply(Settings.API_CONNECT_TIMEOUT, api::connectTimeout);
        env.apply(Settings.API_RESPONSE_TIMEOUT, api::responseTimeout);
        env.apply(Settings.API_PING_AFTER, api::pingAfterQuiet);
        env.apply(Settings.API_DEADLINE, api::messageDeadline);
        env.apply(Settings.API_MAX_ATTEMPTS, api::maxAttempts);
        api.backoff(env.get(Settings.API_BACKOFF), env.get(Settings.API_BACKOFF_MAX));
        api.circuitBreaker(
                env.get(Settings.BREAKER_WINDOW),
                env.get(Settings.BREAKER_MINIMUM_CALLS),
                env.get(Settings.BREAKER_FAILURE_RATE),
                env.get(Settings.BREAKER_OPEN_DURATION));
        api.acceptedMemory(env.get(Settings.NO_RESEND_MEMORY), env.get(Settings.NO_RESEND_MAX));
        api.doubtCheckAfter(env.get(Settings.DOUBT_CHECK_AFTER));
        env.apply(Settings.TOKEN_REFRESH_MARGIN, api::tokenRefreshMargin);
        env.apply(Settings.BAD_CREDENTIALS_MEMORY, api::badCredentialsMemory);
        api.senderCache(env.get(Settings.SENDER_CACHE), ApiConfig.DEFAULTS.senderMissRefresh());
        env.apply(
                Settings.DEFAULT_EMAIL_TYPE,
                type -> api.defaultEmailType(type.name().toLowerCase(Locale.ROOT)));
        if (env.isSet(Settings.DEFAULT_LIST_ID)) {
            env.apply(Settings.DEFAULT_LIST_ID, id -> api.defaultListId((long) id));
        }
        return api.build();
    }

    /** The values of {@code GATEWAY_DEFAULT_EMAIL_TYPE}. */
    public enum EmailType {
        TRANSACTIONAL,
        MARKETING
    }

    /** The values of {@code GATEWAY_LOG_LEVEL}, which the logging configuration reads itself. */
    public enum LogLevel {
        TRACE,
        DEBUG,
        INFO,
        WARN,
        ERROR
    }

    /**
     * The PROXY protocol in front of the listeners.
     *
     * @param enabled whether every connection must start with a header
     * @param trusted the peers allowed to send one: the load balancer's addresses
     * @param headerTimeout the longest wait for the header
     */
    public record ProxyProtocol(boolean enabled, Subnets trusted, Duration headerTimeout) {}

    private static ProxyProtocol proxy(Settings.Environment env) {
        boolean enabled = env.get(Settings.PROXY_PROTOCOL) == Switch.ON;
        Subnets trusted = env.get(Settings.PROXY_TRUSTED_CIDRS);
        if (enabled && trusted.isEmpty()) {
            env.problem("GATEWAY_PROXY_TRUSTED_CIDRS: empty while GATEWAY_PROXY_PROTOCOL is on (expected: the load"
                    + " balancer's addresses, e.g. 10.0.0.0/8; a header from anyone else is refused)");
        }
        return new ProxyProtocol(enabled, trusted, env.get(Settings.PROXY_TIMEOUT));
    }

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

    private static Limits limits(Settings.Environment env) {
        return new Limits(
                env.get(Settings.LIMIT_CONNECTIONS_PER_CLIENT),
                env.get(Settings.LIMIT_MESSAGES_PER_MINUTE),
                env.get(Settings.LIMIT_LOGIN_MESSAGES_PER_MINUTE),
                env.get(Settings.LIMIT_AUTH_FAILURES),
                env.get(Settings.LIMIT_AUTH_WINDOW),
                env.get(Settings.LIMIT_BLOCK_DURATION),
                env.get(Settings.LIMIT_IPV6_PREFIX),
                env.get(Settings.LIMITS_EXEMPT_CIDRS));
    }

    /**
     * The Redis a fleet shares.
     *
     * @param url its URL, or {@code null} for none: each pod keeps its own state
     * @param timeout the longest wait for a command
     * @param ledgerFailOpen whether a message is sent (rather than deferred) when the ledger cannot be read
     */
    public record Redis(URI url, Duration timeout, boolean ledgerFailOpen) {}

    /** What to do when shared state cannot be read: refuse for now ({@code closed}) or go on ({@code open}). */
    public enum FailureMode {
        CLOSED,
        OPEN
    }

    /** A setting that is off or on. */
    public enum Switch {
        OFF,
        ON
    }

    /** The values of {@code GATEWAY_LOG_FORMAT}, which the logging configuration reads itself. */
    public enum LogFormat {
        TEXT,
        JSON
    }

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
