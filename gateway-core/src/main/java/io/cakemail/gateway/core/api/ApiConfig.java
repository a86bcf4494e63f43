package io.cakemail.gateway.core.api;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.time.Duration;

/**
 * How the gateway talks to the Cakemail API: where, over how many connections, how patiently, and what it fills in
 * when a message does not say. Build one with {@link #builder(URI)}.
 */
public final class ApiConfig {

    /** The production API. */
    public static final URI CAKEMAIL_API = URI.create("https://api.cakemail.dev");

    /** Every default, for the production API. */
    public static final ApiConfig DEFAULTS = builder(CAKEMAIL_API).build();

    private final URI baseUri;
    private final boolean h2c;
    private final boolean insecureTls;
    private final int maxConnections;
    private final int maxConcurrentStreams;
    private final Duration connectTimeout;
    private final Duration responseTimeout;
    private final Duration pingAfterQuiet;
    private final Duration messageDeadline;
    private final Duration backoffBase;
    private final Duration backoffMax;
    private final int maxAttempts;
    private final int breakerWindow;
    private final int breakerMinimumCalls;
    private final float breakerFailureRate;
    private final Duration breakerOpenDuration;
    private final Duration acceptedMemory;
    private final long acceptedMemorySize;
    private final Duration doubtCheckAfter;
    private final Duration tokenRefreshMargin;
    private final Duration badCredentialsMemory;
    private final Duration senderCacheTtl;
    private final Duration senderMissRefresh;
    private final String defaultEmailType;
    private final Long defaultListId;

    private ApiConfig(Builder b) {
        baseUri = b.baseUri;
        h2c = b.h2c;
        insecureTls = b.insecureTls;
        maxConnections = b.maxConnections;
        maxConcurrentStreams = b.maxConcurrentStreams;
        connectTimeout = b.connectTimeout;
        responseTimeout = b.responseTimeout;
        pingAfterQuiet = b.pingAfterQuiet;
        messageDeadline = b.messageDeadline;
        backoffBase = b.backoffBase;
        backoffMax = b.backoffMax;
        maxAttempts = b.maxAttempts;
        breakerWindow = b.breakerWindow;
        breakerMinimumCalls = b.breakerMinimumCalls;
        breakerFailureRate = b.breakerFailureRate;
        breakerOpenDuration = b.breakerOpenDuration;
        acceptedMemory = b.acceptedMemory;
        acceptedMemorySize = b.acceptedMemorySize;
        doubtCheckAfter = b.doubtCheckAfter;
        tokenRefreshMargin = b.tokenRefreshMargin;
        badCredentialsMemory = b.badCredentialsMemory;
        senderCacheTtl = b.senderCacheTtl;
        senderMissRefresh = b.senderMissRefresh;
        defaultEmailType = b.defaultEmailType;
        defaultListId = b.defaultListId;
    }

    public static Builder builder(URI baseUri) {
        return new Builder(baseUri);
    }

    /** A builder holding this config's values, for the API at {@code baseUri}. */
    public Builder toBuilder(URI baseUri) {
        Builder b = new Builder(baseUri);
        b.h2c = h2c;
        b.insecureTls = insecureTls;
        b.maxConnections = maxConnections;
        b.maxConcurrentStreams = maxConcurrentStreams;
        b.connectTimeout = connectTimeout;
        b.responseTimeout = responseTimeout;
        b.pingAfterQuiet = pingAfterQuiet;
        b.messageDeadline = messageDeadline;
        b.backoffBase = backoffBase;
        b.backoffMax = backoffMax;
        b.maxAttempts = maxAttempts;
        b.breakerWindow = breakerWindow;
        b.breakerMinimumCalls = breakerMinimumCalls;
        b.breakerFailureRate = breakerFailureRate;
        b.breakerOpenDuration = breakerOpenDuration;
        b.acceptedMemory = acceptedMemory;
        b.acceptedMemorySize = acceptedMemorySize;
        b.doubtCheckAfter = doubtCheckAfter;
        b.tokenRefreshMargin = tokenRefreshMargin;
        b.badCredentialsMemory = badCredentialsMemory;
        b.senderCacheTtl = senderCacheTtl;
        b.senderMissRefresh = senderMissRefresh;
        b.defaultEmailType = defaultEmailType;
        b.defaultListId = defaultListId;
        return b;
    }

    /** The API's base URL: {@code https://} negotiates h2 by ALPN (HTTP/1.1 otherwise). */
    public URI baseUri() {
        return baseUri;
    }

    /** For {@code http://}: HTTP/2 with prior knowledge (h2c) instead of HTTP/1.1. */
    public boolean h2c() {
        return h2c;
    }

    /** Trust any certificate (for a TLS sandbox with a self-signed certificate only). */
    public boolean insecureTls() {
        return insecureTls;
    }

    public int maxConnections() {
        return maxConnections;
    }

    public int maxConcurrentStreams() {
        return maxConcurrentStreams;
    }

    public Duration connectTimeout() {
        return connectTimeout;
    }

    public Duration responseTimeout() {
        return responseTimeout;
    }

    /**
     * An HTTP/2 connection with requests open that has received nothing for this long is sent a PING, and closed
     * (its requests failed, to be retried) when that long passes again without anything from the API.
     */
    public Duration pingAfterQuiet() {
        return pingAfterQuiet;
    }

    /** The longest a message's submissions may take, retries included; the SMTP reply waits for it. */
    public Duration messageDeadline() {
        return messageDeadline;
    }

    public Duration backoffBase() {
        return backoffBase;
    }

    public Duration backoffMax() {
        return backoffMax;
    }

    /**
     * The most tries a recipient gets when the API answers 5xx or the request fails on the way (a reset, a timeout);
     * a {@code 429} with {@code Retry-After} is tried again as long as the deadline allows.
     */
    public int maxAttempts() {
        return maxAttempts;
    }

    public int breakerWindow() {
        return breakerWindow;
    }

    public int breakerMinimumCalls() {
        return breakerMinimumCalls;
    }

    public float breakerFailureRate() {
        return breakerFailureRate;
    }

    public Duration breakerOpenDuration() {
        return breakerOpenDuration;
    }

    /** How long accepted recipients are remembered, so a client's retry of a deferred message does not resend to them. */
    public Duration acceptedMemory() {
        return acceptedMemory;
    }

    public long acceptedMemorySize() {
        return acceptedMemorySize;
    }

    /**
     * How long after a submission in doubt (the API may have taken it) the API's log is trusted to show it, when it
     * did: a retry sooner is deferred again rather than risk a second copy.
     */
    public Duration doubtCheckAfter() {
        return doubtCheckAfter;
    }

    /** A token is refreshed when less than this is left of its life. */
    public Duration tokenRefreshMargin() {
        return tokenRefreshMargin;
    }

    /** How long wrong credentials are answered without asking the API again. */
    public Duration badCredentialsMemory() {
        return badCredentialsMemory;
    }

    public Duration senderCacheTtl() {
        return senderCacheTtl;
    }

    /** An unknown sender address refetches the account's senders if the list is older than this. */
    public Duration senderMissRefresh() {
        return senderMissRefresh;
    }

    /** {@code content.type} when the message has no {@code X-Email-Api-Type}. */
    public String defaultEmailType() {
        return defaultEmailType;
    }

    /** {@code list_id} when the message has no {@code X-List-Id}, or {@code null}. */
    public Long defaultListId() {
        return defaultListId;
    }

    /** Builds an {@link ApiConfig}; every setting has a default fit for production. */
    public static final class Builder {
        private final URI baseUri;
        private boolean h2c;
        private boolean insecureTls;
        private int maxConnections = 64;
        private int maxConcurrentStreams = 100;
        private Duration connectTimeout = Duration.ofSeconds(5);
        private Duration responseTimeout = Duration.ofSeconds(15);
        private Duration pingAfterQuiet = Duration.ofSeconds(5);
        private Duration messageDeadline = Duration.ofSeconds(45);
        private Duration backoffBase = Duration.ofMillis(200);
        private Duration backoffMax = Duration.ofSeconds(5);
        private int maxAttempts = 3;
        private int breakerWindow = 50;
        private int breakerMinimumCalls = 20;
        private float breakerFailureRate = 50;
        private Duration breakerOpenDuration = Duration.ofSeconds(10);
        private Duration acceptedMemory = Duration.ofHours(24);
        /** 51 MiB at the most (measured: 534 octets an entry when each has its own login and message). */
        private long acceptedMemorySize = 100_000;

        private Duration doubtCheckAfter = Duration.ofMinutes(1);

        private Duration tokenRefreshMargin = Duration.ofMinutes(10);
        private Duration badCredentialsMemory = Duration.ofSeconds(30);
        private Duration senderCacheTtl = Duration.ofMinutes(5);
        private Duration senderMissRefresh = Duration.ofSeconds(30);
        private String defaultEmailType = "transactional";
        private Long defaultListId;

        private Builder(URI baseUri) {
            requireNonNull(baseUri, "baseUri");
            if (!"http".equals(baseUri.getScheme()) && !"https".equals(baseUri.getScheme())) {
                throw new IllegalArgumentException("baseUri: " + baseUri + " (expected: http:// or https://)");
            }
            this.baseUri = baseUri;
        }

        public Builder h2c(boolean h2c) {
            this.h2c = h2c;
            return this;
        }

        public Builder insecureTls(boolean insecureTls) {
            this.insecureTls = insecureTls;
            return this;
        }

        public Builder maxConnections(int maxConnections) {
            this.maxConnections = positive("maxConnections", maxConnections);
            return this;
        }

        public Builder maxConcurrentStreams(int maxConcurrentStreams) {
            this.maxConcurrentStreams = positive("maxConcurrentStreams", maxConcurrentStreams);
            return this;
        }

        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = requireNonNull(connectTimeout, "connectTimeout");
            return this;
        }

        public Builder responseTimeout(Duration responseTimeout) {
            this.responseTimeout = requireNonNull(responseTimeout, "responseTimeout");
            return this;
        }

        public Builder pingAfterQuiet(Duration pingAfterQuiet) {
            this.pingAfterQuiet = requireNonNull(pingAfterQuiet, "pingAfterQuiet");
            return this;
        }

        public Builder messageDeadline(Duration messageDeadline) {
            this.messageDeadline = requireNonNull(messageDeadline, "messageDeadline");
            return this;
        }

        public Builder backoff(Duration base, Duration max) {
            this.backoffBase = requireNonNull(base, "base");
            this.backoffMax = requireNonNull(max, "max");
            return this;
        }

        public Builder maxAttempts(int maxAttempts) {
            this.maxAttempts = positive("maxAttempts", maxAttempts);
            return this;
        }

        /** A count-based window of {@code window} calls, open above {@code failureRate}% after {@code minimumCalls}. */
        public Builder circuitBreaker(int window, int minimumCalls, float failureRate, Duration openDuration) {
            this.breakerWindow = positive("window", window);
            this.breakerMinimumCalls = positive("minimumCalls", minimumCalls);
            this.breakerFailureRate = failureRate;
            this.breakerOpenDuration = requireNonNull(openDuration, "openDuration");
            return this;
        }

        public Builder acceptedMemory(Duration retention, long maximumSize) {
            this.acceptedMemory = requireNonNull(retention, "retention");
            this.acceptedMemorySize = maximumSize;
            return this;
        }

        public Builder doubtCheckAfter(Duration doubtCheckAfter) {
            this.doubtCheckAfter = requireNonNull(doubtCheckAfter, "doubtCheckAfter");
            return this;
        }

        public Builder tokenRefreshMargin(Duration tokenRefreshMargin) {
            this.tokenRefreshMargin = requireNonNull(tokenRefreshMargin, "tokenRefreshMargin");
            return this;
        }

        public Builder badCredentialsMemory(Duration badCredentialsMemory) {
            this.badCredentialsMemory = requireNonNull(badCredentialsMemory, "badCredentialsMemory");
            return this;
        }

        public Builder senderCache(Duration ttl, Duration missRefresh) {
            this.senderCacheTtl = requireNonNull(ttl, "ttl");
            this.senderMissRefresh = requireNonNull(missRefresh, "missRefresh");
            return this;
        }

        public Builder defaultEmailType(String defaultEmailType) {
            if (!"marketing".equals(defaultEmailType) && !"transactional".equals(defaultEmailType)) {
                throw new IllegalArgumentException(
                        "defaultEmailType: " + defaultEmailType + " (expected: marketing or transactional)");
            }
            this.defaultEmailType = defaultEmailType;
            return this;
        }

        public Builder defaultListId(Long defaultListId) {
            if (defaultListId != null && defaultListId < 1) {
                throw new IllegalArgumentException("defaultListId: " + defaultListId + " (expected: >= 1)");
            }
            this.defaultListId = defaultListId;
            return this;
        }

        public ApiConfig build() {
            return new ApiConfig(this);
        }

        private static int positive(String name, int value) {
            if (value <= 0) {
                throw new IllegalArgumentException(name + ": " + value + " (expected: > 0)");
            }
            return value;
        }
    }
}
