package io.cakemail.gateway.server.config;

import io.cakemail.gateway.common.Setting;
import io.cakemail.gateway.core.api.ApiConfig;
import io.cakemail.gateway.core.mime.MimeLimits;
import io.cakemail.gateway.core.transform.TransformConfig;
import io.cakemail.gateway.smtp.BareLineEndingPolicy;
import io.cakemail.gateway.smtp.SmtpServerConfig;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Every environment variable the gateway reads, in one table, in the spirit of Armeria's {@code Flags}: the
 * defaults come from the configuration types they feed ({@link SmtpServerConfig#DEFAULT}, {@link MimeLimits#DEFAULT},
 * {@link TransformConfig#DEFAULT}, {@link ApiConfig#DEFAULTS}), so each is written once. {@link GatewayConfig} reads
 * them, {@code --help} lists them, the README's configuration table is checked against them, and the start-up log
 * shows their effective values.
 */
public final class Settings {

    private static final SmtpServerConfig SMTP = SmtpServerConfig.DEFAULT;
    private static final MimeLimits MIME = MimeLimits.DEFAULT;
    private static final TransformConfig TRANSFORM = TransformConfig.DEFAULT;
    private static final ApiConfig API = ApiConfig.DEFAULTS;

    static final Setting<Integer> SMTP_PORT =
            Setting.port("GATEWAY_SMTP_PORT", 2587, "Submission listener, STARTTLS (use 587 in production)");
    static final Setting<Integer> SMTPS_PORT =
            Setting.port("GATEWAY_SMTPS_PORT", 2465, "Implicit TLS listener (use 465 in production)");
    static final Setting<Integer> HTTP_PORT = Setting.port(
            "GATEWAY_HTTP_PORT", 8080, "HTTP port of /health/live, /health/ready, /health and /metrics (Prometheus)");
    static final Setting<String> BIND_ADDRESS =
            Setting.text("GATEWAY_BIND_ADDRESS", "0.0.0.0", "Address the listeners bind");
    static final Setting<Path> TLS_CERT = Setting.readableFile(
            "GATEWAY_TLS_CERT", "PEM certificate chain; without it a self-signed one is generated");
    static final Setting<Path> TLS_KEY =
            Setting.readableFile("GATEWAY_TLS_KEY", "PEM private key (PKCS#8 or PKCS#1) of GATEWAY_TLS_CERT");
    static final Setting<Duration> TLS_HANDSHAKE_TIMEOUT =
            Setting.duration("GATEWAY_TLS_HANDSHAKE_TIMEOUT", Duration.ofSeconds(10), "Longest TLS handshake");
    static final Setting<Duration> TLS_RELOAD_INTERVAL = Setting.durationOrZero(
            "GATEWAY_TLS_RELOAD_INTERVAL",
            Duration.ofSeconds(30),
            "How often GATEWAY_TLS_CERT and GATEWAY_TLS_KEY are read for a renewed pair (0s: never)");
    static final Setting<GatewayConfig.Switch> PROXY_PROTOCOL = Setting.choice(
            "GATEWAY_PROXY_PROTOCOL",
            GatewayConfig.Switch.OFF,
            GatewayConfig.Switch.class,
            "on: both listeners expect a PROXY protocol header (v1 or v2) from the load balancer first");
    static final Setting<Subnets> PROXY_TRUSTED_CIDRS = subnets(
            "GATEWAY_PROXY_TRUSTED_CIDRS",
            "",
            "The load balancer's addresses, the only peers allowed to send a PROXY header (required when on)");
    static final Setting<Duration> PROXY_TIMEOUT = Setting.duration(
            "GATEWAY_PROXY_TIMEOUT", Duration.ofSeconds(10), "Longest wait for the PROXY header of a new connection");
    static final Setting<URI> API_URL = Setting.httpUrl(
            "GATEWAY_API_URL",
            ApiConfig.CAKEMAIL_API,
            "Cakemail API base URL (the sandbox's when GATEWAY_SANDBOX=true and this is unset)");
    static final Setting<Boolean> SANDBOX =
            Setting.flag("GATEWAY_SANDBOX", false, "Start the local sandbox API and its inbox page (true/false)");
    static final Setting<Integer> SANDBOX_PORT =
            Setting.port("GATEWAY_SANDBOX_PORT", 8025, "Port of the local sandbox API and inbox");
    static final Setting<String> SANDBOX_BIND_ADDRESS = Setting.text(
            "GATEWAY_SANDBOX_BIND_ADDRESS",
            "127.0.0.1",
            "Address the sandbox binds (its fault and delete endpoints have no authentication)");
    static final Setting<Boolean> API_H2C = Setting.flag(
                    "GATEWAY_API_H2C", false, "HTTP/2 without TLS (h2c) to an http:// API")
            .withoutDefault("true for the sandbox, false otherwise");
    static final Setting<Integer> API_MAX_CONNECTIONS = Setting.integer(
            "GATEWAY_API_MAX_CONNECTIONS",
            API.maxConnections(),
            1,
            "Most connections to the API, shared among the event loops (at least one each); one is opened only when the open ones have no free stream, and closed after 60 s unused. HTTP/2 multiplexes requests on each, HTTP/1.1 carries one at a time");
    static final Setting<Integer> API_MAX_STREAMS = Setting.integer(
            "GATEWAY_API_MAX_STREAMS",
            API.maxConcurrentStreams(),
            1,
            "Requests in flight on one API connection, at most");
    static final Setting<Duration> API_CONNECT_TIMEOUT = Setting.duration(
            "GATEWAY_API_CONNECT_TIMEOUT", API.connectTimeout(), "Longest wait for a connection to the API");
    static final Setting<Duration> API_RESPONSE_TIMEOUT = Setting.duration(
            "GATEWAY_API_RESPONSE_TIMEOUT",
            API.responseTimeout(),
            "Longest wait for the API's answer to a login or a sender lookup");
    static final Setting<Duration> API_PING_AFTER = Setting.duration(
            "GATEWAY_API_PING_AFTER",
            API.pingAfterQuiet(),
            "Silence on an API connection with requests open before a PING; as long again, and it is closed");
    static final Setting<Duration> API_DEADLINE = Setting.duration(
            "GATEWAY_API_DEADLINE",
            API.messageDeadline(),
            "Longest time a message's submissions may take, retries included");
    static final Setting<Integer> API_MAX_ATTEMPTS = Setting.integer(
            "GATEWAY_API_MAX_ATTEMPTS",
            API.maxAttempts(),
            1,
            "Tries per recipient when the API fails on the way or answers 5xx");
    static final Setting<Duration> API_BACKOFF = Setting.duration(
            "GATEWAY_API_BACKOFF",
            API.backoffBase(),
            "Wait before the second try, doubled for each next one (with jitter)");
    static final Setting<Duration> API_BACKOFF_MAX =
            Setting.duration("GATEWAY_API_BACKOFF_MAX", API.backoffMax(), "Longest wait between tries");
    static final Setting<Integer> BREAKER_WINDOW = Setting.integer(
            "GATEWAY_BREAKER_WINDOW", API.breakerWindow(), 1, "Calls to the API the circuit breaker judges by");
    static final Setting<Integer> BREAKER_MINIMUM_CALLS = Setting.integer(
            "GATEWAY_BREAKER_MINIMUM_CALLS", API.breakerMinimumCalls(), 1, "Calls before the circuit breaker may open");
    static final Setting<Integer> BREAKER_FAILURE_RATE = Setting.integer(
            "GATEWAY_BREAKER_FAILURE_RATE",
            Math.round(API.breakerFailureRate()),
            1,
            100,
            "Percent of failed calls that opens the circuit breaker");
    static final Setting<Duration> BREAKER_OPEN_DURATION = Setting.duration(
            "GATEWAY_BREAKER_OPEN_DURATION",
            API.breakerOpenDuration(),
            "How long an open circuit breaker answers 451 before trying the API again");
    static final Setting<Duration> NO_RESEND_MEMORY = Setting.duration(
            "GATEWAY_NO_RESEND_MEMORY",
            API.acceptedMemory(),
            "How long recipients accepted in a message answered 451 are not sent it again");
    static final Setting<Integer> NO_RESEND_MAX = Setting.integer(
            "GATEWAY_NO_RESEND_MAX",
            (int) API.acceptedMemorySize(),
            1,
            "Recipients the no-resend memory holds (500 octets each at most)");
    static final Setting<Duration> DOUBT_CHECK_AFTER = Setting.durationOrZero(
            "GATEWAY_DOUBT_CHECK_AFTER",
            API.doubtCheckAfter(),
            "How long after a submission in doubt the API's log (GET /v2/logs/emails) is trusted to show it; a retry"
                    + " sooner is deferred again");
    static final Setting<Duration> TOKEN_REFRESH_MARGIN = Setting.duration(
            "GATEWAY_TOKEN_REFRESH_MARGIN",
            API.tokenRefreshMargin(),
            "An access token is renewed when less than this is left of its life");
    static final Setting<Duration> BAD_CREDENTIALS_MEMORY = Setting.duration(
            "GATEWAY_BAD_CREDENTIALS_MEMORY",
            API.badCredentialsMemory(),
            "How long wrong credentials are refused without asking the API again");
    static final Setting<Duration> SENDER_CACHE = Setting.duration(
            "GATEWAY_SENDER_CACHE", API.senderCacheTtl(), "How long an account's confirmed senders are kept");
    static final Setting<Duration> DRAIN_DELAY = Setting.durationOrZero(
            "GATEWAY_DRAIN_DELAY",
            Duration.ofSeconds(5),
            "On SIGTERM, how long the listeners keep accepting after readiness fails, so the load balancer stops"
                    + " sending first");
    static final Setting<Duration> DRAIN_TIMEOUT = Setting.duration(
            "GATEWAY_DRAIN_TIMEOUT",
            Duration.ofSeconds(60),
            "On SIGTERM, longest wait for sessions to finish; at least GATEWAY_API_DEADLINE");
    static final Setting<GatewayConfig.LogLevel> LOG_LEVEL = Setting.choice(
            "GATEWAY_LOG_LEVEL",
            GatewayConfig.LogLevel.INFO,
            GatewayConfig.LogLevel.class,
            "Log level: trace, debug, info, warn or error");
    static final Setting<GatewayConfig.LogFormat> LOG_FORMAT = Setting.choice(
            "GATEWAY_LOG_FORMAT",
            GatewayConfig.LogFormat.TEXT,
            GatewayConfig.LogFormat.class,
            "Log lines as readable text, or json: one ECS JSON object a line, with session.id and event fields");
    static final Setting<GatewayConfig.EmailType> DEFAULT_EMAIL_TYPE = Setting.choice(
            "GATEWAY_DEFAULT_EMAIL_TYPE",
            GatewayConfig.EmailType.TRANSACTIONAL,
            GatewayConfig.EmailType.class,
            "content.type without X-Email-Api-Type: transactional or marketing");
    static final Setting<Integer> DEFAULT_LIST_ID = Setting.integer(
                    "GATEWAY_DEFAULT_LIST_ID", 1, 1, "list_id without X-List-Id")
            .withoutDefault("none");
    static final Setting<String> HOSTNAME =
            Setting.text("GATEWAY_HOSTNAME", SMTP.hostname(), "Name in the greeting and EHLO reply");
    static final Setting<URI> REDIS_URL = Setting.redisUrl(
            "GATEWAY_REDIS_URL",
            "Redis shared by the fleet for the no-resend ledger (rediss:// for TLS); without it, each pod keeps its own");
    static final Setting<Duration> REDIS_TIMEOUT =
            Setting.duration("GATEWAY_REDIS_TIMEOUT", Duration.ofMillis(500), "Longest wait for a Redis command");
    static final Setting<GatewayConfig.FailureMode> REDIS_LEDGER_ON_FAILURE = Setting.choice(
            "GATEWAY_REDIS_LEDGER_ON_FAILURE",
            GatewayConfig.FailureMode.CLOSED,
            GatewayConfig.FailureMode.class,
            "Redis unreachable: closed defers messages (451, never a resend), open sends them (a rare duplicate)");
    static final Setting<Integer> MAX_CONNECTIONS =
            Setting.integer("GATEWAY_MAX_CONNECTIONS", 1000, 1, "Concurrent SMTP connections, both listeners together");
    static final Setting<Integer> LIMIT_CONNECTIONS_PER_CLIENT =
            Setting.integer("GATEWAY_LIMIT_CONNECTIONS_PER_CLIENT", 10, 1, "Concurrent connections per client address");
    static final Setting<Integer> LIMIT_MESSAGES_PER_MINUTE = Setting.integer(
            "GATEWAY_LIMIT_MESSAGES_PER_MINUTE", 100, 0, "Messages a client address may start a minute (0: no limit)");
    static final Setting<Integer> LIMIT_LOGIN_MESSAGES_PER_MINUTE = Setting.integer(
            "GATEWAY_LIMIT_LOGIN_MESSAGES_PER_MINUTE", 0, 0, "Messages a login may start a minute (0: no limit)");
    static final Setting<Integer> LIMIT_AUTH_FAILURES = Setting.integer(
            "GATEWAY_LIMIT_AUTH_FAILURES",
            5,
            0,
            "Failed logins from an address within GATEWAY_LIMIT_AUTH_WINDOW that block it (0: never)");
    static final Setting<Duration> LIMIT_AUTH_WINDOW = Setting.duration(
            "GATEWAY_LIMIT_AUTH_WINDOW", Duration.ofMinutes(5), "The window failed logins are counted in");
    static final Setting<Duration> LIMIT_BLOCK_DURATION = Setting.duration(
            "GATEWAY_LIMIT_BLOCK_DURATION", Duration.ofHours(1), "How long a blocked address is refused");
    static final Setting<Integer> LIMIT_IPV6_PREFIX = Setting.integer(
            "GATEWAY_LIMIT_IPV6_PREFIX", 64, 1, 128, "IPv6 clients are limited per prefix of this length");
    static final Setting<Subnets> LIMITS_EXEMPT_CIDRS = subnets(
            "GATEWAY_LIMITS_EXEMPT_CIDRS",
            "127.0.0.0/8,::1/128",
            "Addresses no per-client limit applies to (behind a balancer without PROXY protocol, not the balancer)");
    static final Setting<Long> MAX_MESSAGE_SIZE =
            Setting.size("GATEWAY_MAX_MESSAGE_SIZE", SMTP.maxMessageSize(), "Octets per message, advertised in SIZE");
    static final Setting<Integer> MAX_RECIPIENTS =
            Setting.integer("GATEWAY_MAX_RECIPIENTS", SMTP.maxRecipients(), 1, "Recipients per message");
    static final Setting<Integer> MAX_LINE_LENGTH = Setting.integer(
            "GATEWAY_MAX_LINE_LENGTH", SMTP.maxCommandLineLength(), 512, "Octets per command line, CRLF included");
    static final Setting<Integer> MAX_ERRORS =
            Setting.integer("GATEWAY_MAX_ERRORS", SMTP.maxErrors(), 1, "Bad commands per session before 421");
    static final Setting<Integer> MAX_AUTH_FAILURES = Setting.integer(
            "GATEWAY_MAX_AUTH_FAILURES", SMTP.maxAuthFailures(), 1, "Failed AUTH attempts per session before 421");
    static final Setting<Duration> IDLE_TIMEOUT =
            Setting.duration("GATEWAY_IDLE_TIMEOUT", SMTP.idleTimeout(), "Silence from the client before 421 4.4.2");
    static final Setting<Duration> SESSION_TIMEOUT = Setting.duration(
            "GATEWAY_SESSION_TIMEOUT", SMTP.sessionTimeout(), "Whole-session deadline before 421 4.4.2");
    static final Setting<Duration> WRITE_TIMEOUT = Setting.duration(
            "GATEWAY_WRITE_TIMEOUT",
            SMTP.writeTimeout(),
            "Replies left unread this long (or a closing session's last reply) close the connection");
    static final Setting<BareLineEndingPolicy> BARE_LINE_ENDINGS = Setting.choice(
            "GATEWAY_BARE_LINE_ENDINGS",
            SMTP.bareLineEndingPolicy(),
            BareLineEndingPolicy.class,
            "Bare CR or LF in DATA: normalize or reject");
    static final Setting<Integer> IO_THREADS =
            Setting.integer("GATEWAY_IO_THREADS", 0, 0, "Event loop threads; 0 means one per core");
    static final Setting<Long> MEMORY_BUDGET = Setting.size(
                    "GATEWAY_MEMORY_BUDGET",
                    1,
                    "Octets of message content all messages in flight may hold; past it, 452 4.3.1")
            .withoutDefault("half the JVM's direct memory");
    static final Setting<Integer> MAX_MIME_DEPTH =
            Setting.integer("GATEWAY_MAX_MIME_DEPTH", MIME.maxDepth(), 1, "Deepest multipart nesting");
    static final Setting<Integer> MAX_MIME_PARTS =
            Setting.integer("GATEWAY_MAX_MIME_PARTS", MIME.maxParts(), 1, "MIME parts per message");
    static final Setting<Integer> MAX_HEADER_COUNT =
            Setting.integer("GATEWAY_MAX_HEADER_COUNT", MIME.maxHeaderCount(), 1, "Header fields per MIME part");
    static final Setting<Long> MAX_HEADER_SIZE =
            Setting.size("GATEWAY_MAX_HEADER_SIZE", MIME.maxHeaderBytes(), "Octets of header per MIME part");
    static final Setting<Long> MAX_ATTACHMENT_SIZE =
            Setting.size("GATEWAY_MAX_ATTACHMENT_SIZE", MIME.maxAttachmentSize(), "Decoded octets per attachment");
    static final Setting<Long> MAX_DECODED_SIZE = Setting.size(
            "GATEWAY_MAX_DECODED_SIZE",
            MIME.maxTotalDecodedSize(),
            "Decoded octets per message, bodies and attachments");
    static final Setting<Long> MAX_JSON_SIZE = Setting.size(
            "GATEWAY_MAX_JSON_SIZE",
            TRANSFORM.maxJsonSize(),
            "Octets of encoded content per message: escaped bodies and base64 attachments");
    static final Setting<TransformConfig.UnsupportedAttachments> UNSUPPORTED_ATTACHMENTS = Setting.choice(
            "GATEWAY_UNSUPPORTED_ATTACHMENTS",
            TRANSFORM.unsupportedAttachments(),
            TransformConfig.UnsupportedAttachments.class,
            "A part the API cannot carry: refuse (554 5.6.1) or omit (logged)");
    static final Setting<TransformConfig.InlineImages> INLINE_IMAGES = Setting.choice(
            "GATEWAY_INLINE_IMAGES",
            TRANSFORM.inlineImages(),
            TransformConfig.InlineImages.class,
            "cid: images: attach, data-uri or refuse");
    static final Setting<TransformConfig.MissingContent> MISSING_CONTENT = Setting.choice(
            "GATEWAY_MISSING_CONTENT",
            TRANSFORM.missingContent(),
            TransformConfig.MissingContent.class,
            "No Subject, or no text or HTML: refuse (554 5.6.0) or placeholder");

    /** Every setting, in the order of the README's table. */
    public static final List<Setting<?>> ALL = List.of(
            SMTP_PORT,
            SMTPS_PORT,
            HTTP_PORT,
            BIND_ADDRESS,
            TLS_CERT,
            TLS_KEY,
            TLS_HANDSHAKE_TIMEOUT,
            TLS_RELOAD_INTERVAL,
            PROXY_PROTOCOL,
            PROXY_TRUSTED_CIDRS,
            PROXY_TIMEOUT,
            API_URL,
            SANDBOX,
            SANDBOX_PORT,
            SANDBOX_BIND_ADDRESS,
            API_H2C,
            API_MAX_CONNECTIONS,
            API_MAX_STREAMS,
            API_CONNECT_TIMEOUT,
            API_RESPONSE_TIMEOUT,
            API_PING_AFTER,
            API_DEADLINE,
            API_MAX_ATTEMPTS,
            API_BACKOFF,
            API_BACKOFF_MAX,
            BREAKER_WINDOW,
            BREAKER_MINIMUM_CALLS,
            BREAKER_FAILURE_RATE,
            BREAKER_OPEN_DURATION,
            NO_RESEND_MEMORY,
            DOUBT_CHECK_AFTER,
            NO_RESEND_MAX,
            TOKEN_REFRESH_MARGIN,
            BAD_CREDENTIALS_MEMORY,
            SENDER_CACHE,
            DRAIN_DELAY,
            DRAIN_TIMEOUT,
            LOG_LEVEL,
            LOG_FORMAT,
            DEFAULT_EMAIL_TYPE,
            DEFAULT_LIST_ID,
            HOSTNAME,
            REDIS_URL,
            REDIS_TIMEOUT,
            REDIS_LEDGER_ON_FAILURE,
            MAX_CONNECTIONS,
            LIMIT_CONNECTIONS_PER_CLIENT,
            LIMIT_MESSAGES_PER_MINUTE,
            LIMIT_LOGIN_MESSAGES_PER_MINUTE,
            LIMIT_AUTH_FAILURES,
            LIMIT_AUTH_WINDOW,
            LIMIT_BLOCK_DURATION,
            LIMIT_IPV6_PREFIX,
            LIMITS_EXEMPT_CIDRS,
            MAX_MESSAGE_SIZE,
            MAX_RECIPIENTS,
            MAX_LINE_LENGTH,
            MAX_ERRORS,
            MAX_AUTH_FAILURES,
            IDLE_TIMEOUT,
            SESSION_TIMEOUT,
            WRITE_TIMEOUT,
            BARE_LINE_ENDINGS,
            IO_THREADS,
            MEMORY_BUDGET,
            MAX_MIME_DEPTH,
            MAX_MIME_PARTS,
            MAX_HEADER_COUNT,
            MAX_HEADER_SIZE,
            MAX_ATTACHMENT_SIZE,
            MAX_DECODED_SIZE,
            MAX_JSON_SIZE,
            UNSUPPORTED_ATTACHMENTS,
            INLINE_IMAGES,
            MISSING_CONTENT);

    /** CIDR blocks separated by commas; {@code defaultValue} written the same way (empty for none). */
    private static Setting<Subnets> subnets(String name, String defaultValue, String description) {
        return Setting.parsed(
                name,
                defaultValue,
                Subnets::parse,
                "CIDR blocks separated by commas, e.g. 10.0.0.0/8,fd00::/8",
                description);
    }

    private Settings() {}

    /**
     * The settings of one environment: each value read as it is asked for, every problem collected rather than the
     * first thrown, so a configuration with several mistakes is told all of them at once.
     */
    static final class Environment {
        private static final Pattern URL_CREDENTIALS = Pattern.compile("([a-z][a-z0-9+.-]*://)[^/@\\s]*@");

        private final Map<String, String> env;
        private final List<String> problems = new ArrayList<>();
        private final List<String> effective = new ArrayList<>();

        Environment(Map<String, String> env) {
            this.env = env;
        }

        boolean isSet(Setting<?> setting) {
            String value = env.get(setting.name());
            return value != null && !value.isBlank();
        }

        /** The setting's value, its default when not set, or its default after noting why the text is wrong. */
        <T> T get(Setting<T> setting) {
            if (!isSet(setting)) {
                effective.add(setting.name() + "=" + setting.defaultText());
                return setting.defaultValue();
            }
            String text = env.get(setting.name()).trim();
            effective.add(setting.name() + "=" + redacted(text));
            try {
                return setting.parse(text);
            } catch (IllegalArgumentException e) {
                problem(setting.name() + ": " + redacted(e.getMessage()));
                return setting.defaultValue();
            }
        }

        /** {@code text} with the credentials of any URL in it ({@code redis://user:password@host}) masked. */
        static String redacted(String text) {
            return URL_CREDENTIALS.matcher(text).replaceAll("$1***@");
        }

        /** The text as given, for a problem's message. */
        String text(Setting<?> setting) {
            return isSet(setting) ? env.get(setting.name()).trim() : setting.defaultText();
        }

        /** Reads {@code setting} and hands the value to {@code target}, whose own check becomes a problem. */
        <T> void apply(Setting<T> setting, Consumer<T> target) {
            T value = get(setting);
            if (value == null) {
                return;
            }
            try {
                target.accept(value);
            } catch (IllegalArgumentException e) {
                problem(setting.name() + ": " + e.getMessage());
            }
        }

        void problem(String problem) {
            problems.add(problem);
        }

        /** Every setting read, as {@code NAME=value} (defaults in their documented form), for the start-up log. */
        List<String> effective() {
            return List.copyOf(effective);
        }

        void failOnProblems() {
            if (!problems.isEmpty()) {
                throw new GatewayConfig.ConfigurationException(problems);
            }
        }
    }
}
