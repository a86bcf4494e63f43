package io.cakemail.gateway.core.api;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.time.Duration;

/**
 * How the gateway talks to the Cakemail API: where, over how many connections, how patiently, and what it fills in
 * when a message does not say. Build one with {@link #builder(URI)}; every value has a default fit for production.
 *
 * @param baseUri the API's base URL: {@code https://} negotiates h2 by ALPN (HTTP/1.1 otherwise)
 * @param h2c for {@code http://}: HTTP/2 with prior knowledge (h2c) instead of HTTP/1.1
 * @param insecureTls trust any certificate (for a TLS sandbox with a self-signed certificate only)
 * @param maxConnections the most connections to the API, shared among the event loops
 * @param maxConcurrentStreams the most requests in flight on one connection
 * @param connectTimeout the longest wait for a connection
 * @param responseTimeout the longest wait for the answer to a login or a sender lookup
 * @param pingAfterQuiet an HTTP/2 connection with requests open that has received nothing for this long is sent a
 *                       PING, and closed (its requests failed, to be retried) when that long passes again without
 *                       anything from the API
 * @param messageDeadline the longest a message's submissions may take, retries included; the SMTP reply waits for it
 * @param backoffBase the wait before the second try, doubled for each next one
 * @param backoffMax the longest wait between tries
 * @param maxAttempts the most tries a recipient gets when the API answers 5xx or the request fails on the way (a
 *                    reset, a timeout); a {@code 429} with {@code Retry-After} is tried again as long as the deadline
 *                    allows
 * @param breakerWindow the calls (a count-based window) the circuit breaker judges by
 * @param breakerMinimumCalls the calls before the circuit breaker may open
 * @param breakerFailureRate the percent of failed calls that opens the circuit breaker
 * @param breakerOpenDuration how long an open circuit breaker refuses before trying the API again
 * @param acceptedMemory how long accepted recipients are remembered, so a client's retry of a deferred message does
 *                       not resend to them
 * @param acceptedMemorySize the most recipients remembered
 * @param doubtCheckAfter how long after a submission in doubt (the API may have taken it) the API's log is trusted to
 *                        show it, when it did: a retry sooner is deferred again rather than risk a second copy
 * @param tokenRefreshMargin a token is refreshed when less than this is left of its life
 * @param badCredentialsMemory how long wrong credentials are answered without asking the API again
 * @param senderCacheTtl how long an account's confirmed senders are kept
 * @param senderMissRefresh an unknown sender address refetches the account's senders if the list is older than this
 * @param defaultEmailType {@code content.type} when the message has no {@code X-Email-Api-Type}
 * @param defaultListId {@code list_id} when the message has no {@code X-List-Id}, or {@code null}
 */
public record ApiConfig(
        URI baseUri,
        boolean h2c,
        boolean insecureTls,
        int maxConnections,
        int maxConcurrentStreams,
        Duration connectTimeout,
        Duration responseTimeout,
        Duration pingAfterQuiet,
        Duration messageDeadline,
        Duration backoffBase,
        Duration backoffMax,
        int maxAttempts,
        int breakerWindow,
        int breakerMinimumCalls,
        float breakerFailureRate,
        Duration breakerOpenDuration,
        Duration acceptedMemory,
        long acceptedMemorySize,
        Duration doubtCheckAfter,
        Duration tokenRefreshMargin,
        Duration badCredentialsMemory,
        Duration senderCacheTtl,
        Duration senderMissRefresh,
        String defaultEmailType,
        Long defaultListId) {

    /** The production API. */
    public static final URI CAKEMAIL_API = URI.create("https://api.cakemail.dev");

    /** Every default, for the production API. */
    public static final ApiConfig DEFAULTS = builder(CAKEMAIL_API).build();

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

    /** Builds an {@link ApiConfig}: each setter checks its value and names it when it is wrong. */
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
            this.maxConnections = (int) positive("maxConnections", maxConnections);
            return this;
        }

        public Builder maxConcurrentStreams(int maxConcurrentStreams) {
            this.maxConcurrentStreams = (int) positive("maxConcurrentStreams", maxConcurrentStreams);
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

        public Builder backoffBase(Duration backoffBase) {
            this.backoffBase = requireNonNull(backoffBase, "backoffBase");
            return this;
        }

        public Builder backoffMax(Duration backoffMax) {
            this.backoffMax = requireNonNull(backoffMax, "backoffMax");
            return this;
        }

        public Builder maxAttempts(int maxAttempts) {
            this.maxAttempts = (int) positive("maxAttempts", maxAttempts);
            return this;
        }

        public Builder breakerWindow(int breakerWindow) {
            this.breakerWindow = (int) positive("breakerWindow", breakerWindow);
            return this;
        }

        public Builder breakerMinimumCalls(int breakerMinimumCalls) {
            this.breakerMinimumCalls = (int) positive("breakerMinimumCalls", breakerMinimumCalls);
            return this;
        }

        public Builder breakerFailureRate(float breakerFailureRate) {
            if (!(breakerFailureRate > 0 && breakerFailureRate <= 100)) {
                throw new IllegalArgumentException(
                        "breakerFailureRate: " + breakerFailureRate + " (expected: a percent above 0)");
            }
            this.breakerFailureRate = breakerFailureRate;
            return this;
        }

        public Builder breakerOpenDuration(Duration breakerOpenDuration) {
            this.breakerOpenDuration = requireNonNull(breakerOpenDuration, "breakerOpenDuration");
            return this;
        }

        public Builder acceptedMemory(Duration acceptedMemory) {
            this.acceptedMemory = requireNonNull(acceptedMemory, "acceptedMemory");
            return this;
        }

        public Builder acceptedMemorySize(long acceptedMemorySize) {
            this.acceptedMemorySize = positive("acceptedMemorySize", acceptedMemorySize);
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

        public Builder senderCacheTtl(Duration senderCacheTtl) {
            this.senderCacheTtl = requireNonNull(senderCacheTtl, "senderCacheTtl");
            return this;
        }

        public Builder senderMissRefresh(Duration senderMissRefresh) {
            this.senderMissRefresh = requireNonNull(senderMissRefresh, "senderMissRefresh");
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
            return new ApiConfig(
                    baseUri,
                    h2c,
                    insecureTls,
                    maxConnections,
                    maxConcurrentStreams,
                    connectTimeout,
                    responseTimeout,
                    pingAfterQuiet,
                    messageDeadline,
                    backoffBase,
                    backoffMax,
                    maxAttempts,
                    breakerWindow,
                    breakerMinimumCalls,
                    breakerFailureRate,
                    breakerOpenDuration,
                    acceptedMemory,
                    acceptedMemorySize,
                    doubtCheckAfter,
                    tokenRefreshMargin,
                    badCredentialsMemory,
                    senderCacheTtl,
                    senderMissRefresh,
                    defaultEmailType,
                    defaultListId);
        }

        private static long positive(String name, long value) {
            if (value <= 0) {
                throw new IllegalArgumentException(name + ": " + value + " (expected: > 0)");
            }
            return value;
        }
    }
}
