package io.cakemail.gateway.server;

import io.cakemail.gateway.core.mime.MimeLimits;
import io.cakemail.gateway.core.submission.MemoryBudget;
import io.cakemail.gateway.core.submission.TransformConfig;
import io.cakemail.gateway.smtp.BareLineEndingPolicy;
import io.cakemail.gateway.smtp.SmtpServerConfig;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The gateway's configuration, read from environment variables once at start. Every variable is validated; all
 * problems are reported together, each naming the variable and the form it expects. {@link #VARIABLES} documents
 * every variable and its default, and the README's configuration table is written from it.
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
 * @param ioThreads the number of event loop threads, 0 for one per core
 * @param memoryBudget the octets of message content all messages in flight together may hold, or 0 for half the
 *                     JVM's direct memory ({@link MemoryBudget#defaultCapacity}, worked out when the gateway starts:
 *                     reading the configuration loads neither Netty nor the logging it would set up)
 * @param drainTimeout how long a shutdown waits for sessions to finish before closing them: at least the API
 *                     deadline, so no reply the API's answer decides is lost
 * @param smtp the SMTP session limits
 * @param transform the MIME limits and the transformer's policies
 * @param api how to talk to the API, except its URL
 */
public record GatewayConfig(String bindAddress, int smtpPort, int smtpsPort, int httpPort, Path tlsCert,
                            Path tlsKey, Duration tlsHandshakeTimeout, URI apiUrl, boolean sandbox, int sandboxPort,
                            String sandboxBindAddress, int maxConnections, int ioThreads, long memoryBudget,
                            Duration drainTimeout, SmtpServerConfig smtp, TransformConfig transform,
                            ApiSettings api) {

    /** The production API. */
    public static final URI CAKEMAIL_API = URI.create("https://api.cakemail.dev");

    /**
     * The API settings that do not depend on where the API is.
     *
     * @param h2c speak HTTP/2 with prior knowledge to an {@code http://} API
     * @param maxConnections connections to the API
     * @param deadline the longest a message's submissions may take
     * @param defaultEmailType {@code content.type} without {@code X-Email-Api-Type}
     * @param defaultListId {@code list_id} without {@code X-List-Id}, or {@code null}
     */
    public record ApiSettings(boolean h2c, int maxConnections, Duration deadline, String defaultEmailType,
                              Long defaultListId) {
    }

    /** {@code GATEWAY_API_URL} if set, else the sandbox's URL when the sandbox runs, else the production API. */
    public URI effectiveApiUrl(URI sandboxUrl) {
        return apiUrl != null ? apiUrl : sandbox ? sandboxUrl : CAKEMAIL_API;
    }

    /** One environment variable: its name, default and meaning. */
    public record Variable(String name, String defaultValue, String description) {
    }

    /** Every variable the gateway reads, in the order of the README table. */
    public static final List<Variable> VARIABLES = List.of(
            new Variable("GATEWAY_SMTP_PORT", "2587", "Submission listener, STARTTLS (use 587 in production)"),
            new Variable("GATEWAY_SMTPS_PORT", "2465", "Implicit TLS listener (use 465 in production)"),
            new Variable("GATEWAY_HTTP_PORT", "8080", "Health and metrics endpoints (reserved: not served yet)"),
            new Variable("GATEWAY_BIND_ADDRESS", "0.0.0.0", "Address the listeners bind"),
            new Variable("GATEWAY_TLS_CERT", "(none)", "PEM certificate chain; without it a self-signed one is generated"),
            new Variable("GATEWAY_TLS_KEY", "(none)", "PEM private key (PKCS#8 or PKCS#1) of GATEWAY_TLS_CERT"),
            new Variable("GATEWAY_TLS_HANDSHAKE_TIMEOUT", "10s", "Longest TLS handshake"),
            new Variable("GATEWAY_API_URL", "https://api.cakemail.dev",
                    "Cakemail API base URL (the sandbox's when GATEWAY_SANDBOX=true and this is unset)"),
            new Variable("GATEWAY_SANDBOX", "false", "Start the local sandbox API and its inbox page (true/false)"),
            new Variable("GATEWAY_SANDBOX_PORT", "8025", "Port of the local sandbox API and inbox"),
            new Variable("GATEWAY_SANDBOX_BIND_ADDRESS", "127.0.0.1",
                    "Address the sandbox binds (its fault and delete endpoints have no authentication)"),
            new Variable("GATEWAY_API_H2C", "false", "HTTP/2 without TLS (h2c) to an http:// API; on for the sandbox"),
            new Variable("GATEWAY_API_MAX_CONNECTIONS", "8", "Connections to the API (HTTP/2 multiplexes on each)"),
            new Variable("GATEWAY_API_DEADLINE", "45s", "Longest time a message's submissions may take, retries included"),
            new Variable("GATEWAY_DRAIN_TIMEOUT", "60s",
                    "On SIGTERM, longest wait for sessions to finish; at least GATEWAY_API_DEADLINE"),
            new Variable("GATEWAY_LOG_LEVEL", "info", "Log level: trace, debug, info, warn or error"),
            new Variable("GATEWAY_DEFAULT_EMAIL_TYPE", "transactional",
                    "content.type without X-Email-Api-Type: transactional or marketing"),
            new Variable("GATEWAY_DEFAULT_LIST_ID", "(none)", "list_id without X-List-Id"),
            new Variable("GATEWAY_HOSTNAME", "localhost", "Name in the greeting and EHLO reply"),
            new Variable("GATEWAY_MAX_CONNECTIONS", "10000", "Concurrent SMTP connections, both listeners together"),
            new Variable("GATEWAY_MAX_MESSAGE_SIZE", "36700160", "Octets per message, advertised in SIZE"),
            new Variable("GATEWAY_MAX_RECIPIENTS", "100", "Recipients per message"),
            new Variable("GATEWAY_MAX_LINE_LENGTH", "2048", "Octets per command line, CRLF included"),
            new Variable("GATEWAY_MAX_ERRORS", "10", "Bad commands per session before 421"),
            new Variable("GATEWAY_MAX_AUTH_FAILURES", "3", "Failed AUTH attempts per session before 421"),
            new Variable("GATEWAY_IDLE_TIMEOUT", "5m", "Silence from the client before 421 4.4.2"),
            new Variable("GATEWAY_SESSION_TIMEOUT", "30m", "Whole-session deadline before 421 4.4.2"),
            new Variable("GATEWAY_WRITE_TIMEOUT", "30s",
                    "Replies left unread this long (or a closing session's last reply) close the connection"),
            new Variable("GATEWAY_BARE_LINE_ENDINGS", "normalize", "Bare CR or LF in DATA: normalize or reject"),
            new Variable("GATEWAY_IO_THREADS", "0", "Event loop threads; 0 means one per core"),
            new Variable("GATEWAY_MEMORY_BUDGET", "(half the JVM's direct memory)",
                    "Octets of message content all messages in flight may hold; past it, 452 4.3.1"),
            new Variable("GATEWAY_MAX_MIME_DEPTH", "10", "Deepest multipart nesting"),
            new Variable("GATEWAY_MAX_MIME_PARTS", "500", "MIME parts per message"),
            new Variable("GATEWAY_MAX_HEADER_COUNT", "1000", "Header fields per MIME part"),
            new Variable("GATEWAY_MAX_HEADER_SIZE", "262144", "Octets of header per MIME part"),
            new Variable("GATEWAY_MAX_ATTACHMENT_SIZE", "10485760", "Decoded octets per attachment"),
            new Variable("GATEWAY_MAX_DECODED_SIZE", "26214400", "Decoded octets per message, bodies and attachments"),
            new Variable("GATEWAY_MAX_JSON_SIZE", "41943040",
                    "Octets of encoded content per message: escaped bodies and base64 attachments"),
            new Variable("GATEWAY_UNSUPPORTED_ATTACHMENTS", "refuse",
                    "A part the API cannot carry: refuse (554 5.6.1) or omit (logged)"),
            new Variable("GATEWAY_INLINE_IMAGES", "attach", "cid: images: attach, data-uri or refuse"),
            new Variable("GATEWAY_MISSING_CONTENT", "refuse",
                    "No Subject, or no text or HTML: refuse (554 5.6.0) or placeholder"));

    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h)");

    /** Reads and validates the configuration from {@code env} (normally {@code System.getenv()}). */
    public static GatewayConfig fromEnvironment(Map<String, String> env) {
        Reader reader = new Reader(env);
        int smtpPort = reader.port("GATEWAY_SMTP_PORT");
        int smtpsPort = reader.port("GATEWAY_SMTPS_PORT");
        int httpPort = reader.port("GATEWAY_HTTP_PORT");
        String bindAddress = reader.raw("GATEWAY_BIND_ADDRESS");
        Path tlsCert = reader.readableFile("GATEWAY_TLS_CERT");
        Path tlsKey = reader.readableFile("GATEWAY_TLS_KEY");
        if ((tlsCert == null) != (tlsKey == null)) {
            reader.problem("GATEWAY_TLS_CERT and GATEWAY_TLS_KEY: only one is set (expected: both or neither)");
        }
        Duration handshakeTimeout = reader.duration("GATEWAY_TLS_HANDSHAKE_TIMEOUT");
        URI apiUrl = reader.isSet("GATEWAY_API_URL") ? reader.httpUrl("GATEWAY_API_URL") : null;
        boolean sandbox = reader.bool("GATEWAY_SANDBOX");
        int sandboxPort = reader.port("GATEWAY_SANDBOX_PORT");
        String sandboxBindAddress = reader.raw("GATEWAY_SANDBOX_BIND_ADDRESS");
        reader.choice("GATEWAY_LOG_LEVEL", LogLevel.class);
        ApiSettings api = new ApiSettings(reader.isSet("GATEWAY_API_H2C") ? reader.bool("GATEWAY_API_H2C")
                                                                           : sandbox && apiUrl == null,
                reader.integer("GATEWAY_API_MAX_CONNECTIONS", 1), reader.duration("GATEWAY_API_DEADLINE"),
                reader.choice("GATEWAY_DEFAULT_EMAIL_TYPE", EmailType.class).name().toLowerCase(Locale.ROOT),
                reader.isSet("GATEWAY_DEFAULT_LIST_ID") ? (long) reader.integer("GATEWAY_DEFAULT_LIST_ID", 1) : null);
        int maxConnections = reader.integer("GATEWAY_MAX_CONNECTIONS", 1);
        int ioThreads = reader.integer("GATEWAY_IO_THREADS", 0);
        long memoryBudget = reader.isSet("GATEWAY_MEMORY_BUDGET") ? reader.octets("GATEWAY_MEMORY_BUDGET") : 0;
        long maxJsonSize = reader.octets("GATEWAY_MAX_JSON_SIZE");
        Duration drainTimeout = reader.duration("GATEWAY_DRAIN_TIMEOUT");
        if (drainTimeout.compareTo(api.deadline()) < 0) {
            reader.problem("GATEWAY_DRAIN_TIMEOUT: " + reader.raw("GATEWAY_DRAIN_TIMEOUT") + " (expected: at least"
                           + " GATEWAY_API_DEADLINE, " + reader.raw("GATEWAY_API_DEADLINE") + ", so a shutdown never"
                           + " closes a session whose message the API may still accept)");
        }

        SmtpServerConfig.Builder smtp = SmtpServerConfig.builder();
        reader.apply("GATEWAY_HOSTNAME", v -> smtp.hostname(v));
        reader.apply("GATEWAY_MAX_MESSAGE_SIZE", v -> smtp.maxMessageSize(parseLong(v)));
        reader.apply("GATEWAY_MAX_RECIPIENTS", v -> smtp.maxRecipients(parseInt(v)));
        reader.apply("GATEWAY_MAX_LINE_LENGTH", v -> smtp.maxCommandLineLength(parseInt(v)));
        reader.apply("GATEWAY_MAX_ERRORS", v -> smtp.maxErrors(parseInt(v)));
        reader.apply("GATEWAY_MAX_AUTH_FAILURES",
                v -> smtp.maxAuthFailures(parseInt(v)));
        reader.apply("GATEWAY_IDLE_TIMEOUT", v -> smtp.idleTimeout(parseDuration(v)));
        reader.apply("GATEWAY_SESSION_TIMEOUT",
                v -> smtp.sessionTimeout(parseDuration(v)));
        reader.apply("GATEWAY_WRITE_TIMEOUT", v -> smtp.writeTimeout(parseDuration(v)));
        reader.apply("GATEWAY_BARE_LINE_ENDINGS", v -> smtp.bareLineEndingPolicy(bareLineEndings(v)));
        MimeLimits mime = reader.mimeLimits();
        TransformConfig.UnsupportedAttachments unsupported = reader.choice("GATEWAY_UNSUPPORTED_ATTACHMENTS",
                TransformConfig.UnsupportedAttachments.class);
        TransformConfig.InlineImages inline = reader.choice("GATEWAY_INLINE_IMAGES", TransformConfig.InlineImages.class);
        TransformConfig.MissingContent missing = reader.choice("GATEWAY_MISSING_CONTENT",
                TransformConfig.MissingContent.class);
        if (smtpPort == smtpsPort && smtpPort != 0) {
            reader.problem("GATEWAY_SMTP_PORT and GATEWAY_SMTPS_PORT: both " + smtpPort + " (expected: two ports)");
        }
        reader.failOnProblems();
        return new GatewayConfig(bindAddress, smtpPort, smtpsPort, httpPort, tlsCert, tlsKey, handshakeTimeout,
                apiUrl, sandbox, sandboxPort, sandboxBindAddress, maxConnections, ioThreads, memoryBudget, drainTimeout,
                smtp.build(),
                new TransformConfig(mime, unsupported, inline, missing, maxJsonSize), api);
    }

    private static BareLineEndingPolicy bareLineEndings(String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "normalize" -> BareLineEndingPolicy.NORMALIZE;
            case "reject" -> BareLineEndingPolicy.REJECT;
            default -> throw new IllegalArgumentException("'" + value + "' (expected: normalize or reject)");
        };
    }

    private static long parseLong(String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + value + "' (expected: an integer)");
        }
    }

    private static int parseInt(String value) {
        long parsed = parseLong(value);
        if (parsed > Integer.MAX_VALUE || parsed < Integer.MIN_VALUE) {
            throw new IllegalArgumentException("'" + value + "' (expected: an integer below 2^31)");
        }
        return (int) parsed;
    }

    /** Parses {@code 500ms}, {@code 30s}, {@code 5m} or {@code 1h}. */
    static Duration parseDuration(String value) {
        Matcher m = DURATION.matcher(value);
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + value + "' (expected: a number and ms, s, m or h, e.g. 30s)");
        }
        long amount = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            default -> Duration.ofHours(amount);
        };
    }

    /** The values of {@code GATEWAY_DEFAULT_EMAIL_TYPE}. */
    private enum EmailType { TRANSACTIONAL, MARKETING }

    /** The values of {@code GATEWAY_LOG_LEVEL}, which the logging configuration reads itself. */
    private enum LogLevel { TRACE, DEBUG, INFO, WARN, ERROR }

    /** A configuration that cannot start the gateway; the message lists every problem. */
    public static final class ConfigurationException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ConfigurationException(List<String> problems) {
            super(problems.size() == 1 ? problems.get(0)
                                       : "invalid configuration:\n  " + String.join("\n  ", problems));
        }
    }

    /** Reads variables with their defaults and collects problems instead of stopping at the first. */
    private static final class Reader {
        private final Map<String, String> env;
        private final List<String> problems = new ArrayList<>();

        Reader(Map<String, String> env) {
            this.env = env;
        }

        String raw(String name) {
            String value = env.get(name);
            if (value == null || value.isBlank()) {
                String defaultValue = VARIABLES.stream().filter(v -> v.name().equals(name)).findFirst()
                                               .orElseThrow().defaultValue();
                return defaultValue.startsWith("(") ? null : defaultValue;
            }
            return value.trim();
        }

        boolean isSet(String name) {
            String value = env.get(name);
            return value != null && !value.isBlank();
        }

        void apply(String name, Consumer<String> setter) {
            String value = raw(name);
            try {
                setter.accept(value);
            } catch (IllegalArgumentException e) {
                problem(name + ": " + e.getMessage());
            }
        }

        long octets(String name) {
            String value = raw(name);
            try {
                long parsed = Long.parseLong(value);
                if (parsed > 0) {
                    return parsed;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            problem(name + ": '" + value + "' (expected: a number of octets, > 0)");
            return 1;
        }

        int port(String name) {
            return integerIn(name, 0, 65535);
        }

        int integer(String name, int min) {
            return integerIn(name, min, Integer.MAX_VALUE);
        }

        private int integerIn(String name, int min, int max) {
            String value = raw(name);
            try {
                int parsed = Integer.parseInt(value);
                if (parsed >= min && parsed <= max) {
                    return parsed;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            problem(name + ": '" + value + "' (expected: an integer from " + min + " to " + max + ")");
            return min;
        }

        MimeLimits mimeLimits() {
            int depth = integer("GATEWAY_MAX_MIME_DEPTH", 1);
            int parts = integer("GATEWAY_MAX_MIME_PARTS", 1);
            int headerCount = integer("GATEWAY_MAX_HEADER_COUNT", 1);
            int headerSize = integer("GATEWAY_MAX_HEADER_SIZE", 1);
            int attachment = integer("GATEWAY_MAX_ATTACHMENT_SIZE", 1);
            int decoded = integer("GATEWAY_MAX_DECODED_SIZE", 1);
            return new MimeLimits(depth, parts, headerCount, headerSize, attachment, decoded);
        }

        /** An enum constant from its name in lower case with dashes ({@code data-uri} for {@code DATA_URI}). */
        <E extends Enum<E>> E choice(String name, Class<E> type) {
            String value = raw(name);
            for (E constant : type.getEnumConstants()) {
                if (constant.name().replace('_', '-').equalsIgnoreCase(value)) {
                    return constant;
                }
            }
            String expected = java.util.Arrays.stream(type.getEnumConstants())
                                              .map(c -> c.name().replace('_', '-').toLowerCase(Locale.ROOT))
                                              .collect(java.util.stream.Collectors.joining(", "));
            problem(name + ": '" + value + "' (expected: one of " + expected + ")");
            return type.getEnumConstants()[0];
        }

        Duration duration(String name) {
            try {
                return parseDuration(raw(name));
            } catch (IllegalArgumentException e) {
                problem(name + ": " + e.getMessage());
                return Duration.ofSeconds(1);
            }
        }

        boolean bool(String name) {
            String value = raw(name).toLowerCase(Locale.ROOT);
            if (!value.equals("true") && !value.equals("false")) {
                problem(name + ": '" + value + "' (expected: true or false)");
            }
            return value.equals("true");
        }

        URI httpUrl(String name) {
            String value = raw(name);
            try {
                URI uri = new URI(value);
                if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null) {
                    return uri;
                }
            } catch (java.net.URISyntaxException e) {
                // reported below
            }
            problem(name + ": '" + value + "' (expected: an http:// or https:// URL)");
            return null;
        }

        Path readableFile(String name) {
            String value = raw(name);
            if (value == null) {
                return null;
            }
            Path path = Path.of(value);
            if (!Files.isReadable(path) || !Files.isRegularFile(path)) {
                problem(name + ": '" + value + "' (expected: a readable PEM file)");
            }
            return path;
        }

        void problem(String problem) {
            problems.add(problem);
        }

        void failOnProblems() {
            if (!problems.isEmpty()) {
                throw new ConfigurationException(problems);
            }
        }
    }
}
