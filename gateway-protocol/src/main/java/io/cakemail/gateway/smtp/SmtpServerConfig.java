package io.cakemail.gateway.smtp;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * The immutable limits and switches of an SMTP session. Build one with {@link #builder()}; every value has a
 * documented default, and {@link #DEFAULT} holds them all.
 *
 * <table>
 *   <caption>Limits</caption>
 *   <tr><th>Setting</th><th>Default</th><th>When exceeded</th></tr>
 *   <tr><td>{@code maxCommandLineLength}</td><td>2048 octets, CRLF included</td><td>{@code 500 5.5.2}</td></tr>
 *   <tr><td>{@code maxMessageSize}</td><td>36,700,160 octets (35 MiB)</td><td>{@code 552 5.3.4}</td></tr>
 *   <tr><td>{@code maxRecipients}</td><td>100 per message</td><td>{@code 452 4.5.3}</td></tr>
 *   <tr><td>{@code maxErrors}</td><td>10 per session</td><td>{@code 421 4.7.0}, then close</td></tr>
 *   <tr><td>{@code maxAuthFailures}</td><td>3 per session</td><td>{@code 421 4.7.0}, then close</td></tr>
 *   <tr><td>{@code idleTimeout}</td><td>5 minutes</td><td>{@code 421 4.4.2}, then close</td></tr>
 *   <tr><td>{@code sessionTimeout}</td><td>30 minutes</td><td>{@code 421 4.4.2}, then close</td></tr>
 *   <tr><td>{@code writeTimeout}</td><td>30 seconds</td><td>close: the client left its replies unread that long,
 *       or a closing session's last reply could not leave</td></tr>
 * </table>
 */
public final class SmtpServerConfig {

    /** All defaults. */
    public static final SmtpServerConfig DEFAULT = builder().build();

    private final String hostname;
    private final int maxCommandLineLength;
    private final long maxMessageSize;
    private final int maxRecipients;
    private final int maxErrors;
    private final int maxAuthFailures;
    private final Duration idleTimeout;
    private final Duration sessionTimeout;
    private final Duration writeTimeout;
    private final boolean authRequired;
    private final boolean tlsRequiredForAuth;
    private final BareLineEndingPolicy bareLineEndingPolicy;

    private SmtpServerConfig(Builder b) {
        hostname = b.hostname;
        maxCommandLineLength = b.maxCommandLineLength;
        maxMessageSize = b.maxMessageSize;
        maxRecipients = b.maxRecipients;
        maxErrors = b.maxErrors;
        maxAuthFailures = b.maxAuthFailures;
        idleTimeout = b.idleTimeout;
        sessionTimeout = b.sessionTimeout;
        writeTimeout = b.writeTimeout;
        authRequired = b.authRequired;
        tlsRequiredForAuth = b.tlsRequiredForAuth;
        bareLineEndingPolicy = b.bareLineEndingPolicy;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this config's values. */
    public Builder toBuilder() {
        return new Builder()
                .hostname(hostname)
                .maxCommandLineLength(maxCommandLineLength)
                .maxMessageSize(maxMessageSize)
                .maxRecipients(maxRecipients)
                .maxErrors(maxErrors)
                .maxAuthFailures(maxAuthFailures)
                .idleTimeout(idleTimeout)
                .sessionTimeout(sessionTimeout)
                .writeTimeout(writeTimeout)
                .authRequired(authRequired)
                .tlsRequiredForAuth(tlsRequiredForAuth)
                .bareLineEndingPolicy(bareLineEndingPolicy);
    }

    /** The name the server gives itself in the greeting and the EHLO reply. */
    public String hostname() {
        return hostname;
    }

    public int maxCommandLineLength() {
        return maxCommandLineLength;
    }

    public long maxMessageSize() {
        return maxMessageSize;
    }

    public int maxRecipients() {
        return maxRecipients;
    }

    public int maxErrors() {
        return maxErrors;
    }

    public int maxAuthFailures() {
        return maxAuthFailures;
    }

    public Duration idleTimeout() {
        return idleTimeout;
    }

    public Duration sessionTimeout() {
        return sessionTimeout;
    }

    /**
     * The longest the session waits on a client that does not read: replies left unread above the connection's
     * high-water mark, or the last reply of a closing session. Then the connection is closed without more ado.
     */
    public Duration writeTimeout() {
        return writeTimeout;
    }

    /** Whether MAIL needs a successful AUTH first ({@code 530 5.7.0} otherwise). */
    public boolean authRequired() {
        return authRequired;
    }

    /** Whether AUTH needs TLS first ({@code 538 5.7.11} otherwise); AUTH is then only advertised under TLS. */
    public boolean tlsRequiredForAuth() {
        return tlsRequiredForAuth;
    }

    public BareLineEndingPolicy bareLineEndingPolicy() {
        return bareLineEndingPolicy;
    }

    @Override
    public String toString() {
        return "SmtpServerConfig{hostname=" + hostname + ", maxCommandLineLength=" + maxCommandLineLength
                + ", maxMessageSize="
                + maxMessageSize + ", maxRecipients=" + maxRecipients + ", maxErrors="
                + maxErrors + ", maxAuthFailures=" + maxAuthFailures + ", idleTimeout="
                + idleTimeout + ", sessionTimeout=" + sessionTimeout + ", writeTimeout="
                + writeTimeout + ", authRequired="
                + authRequired + ", tlsRequiredForAuth=" + tlsRequiredForAuth + ", bareLineEndingPolicy="
                + bareLineEndingPolicy + '}';
    }

    /** Builds a {@link SmtpServerConfig}; each setter validates its argument. */
    public static final class Builder {
        private String hostname = "localhost";
        private int maxCommandLineLength = 2048;
        private long maxMessageSize = 35L * 1024 * 1024;
        private int maxRecipients = 100;
        private int maxErrors = 10;
        private int maxAuthFailures = 3;
        private Duration idleTimeout = Duration.ofMinutes(5);
        private Duration sessionTimeout = Duration.ofMinutes(30);
        private Duration writeTimeout = Duration.ofSeconds(30);
        private boolean authRequired = true;
        private boolean tlsRequiredForAuth = true;
        private BareLineEndingPolicy bareLineEndingPolicy = BareLineEndingPolicy.NORMALIZE;

        private Builder() {}

        public Builder hostname(String hostname) {
            requireNonNull(hostname, "hostname");
            if (hostname.isBlank() || hostname.chars().anyMatch(c -> c <= ' ' || c >= 0x7f)) {
                throw new IllegalArgumentException("hostname: '" + hostname + "' (expected: a domain name)");
            }
            this.hostname = hostname;
            return this;
        }

        public Builder maxCommandLineLength(int maxCommandLineLength) {
            if (maxCommandLineLength < 512) {
                throw new IllegalArgumentException(
                        "maxCommandLineLength: " + maxCommandLineLength + " (expected: >= 512, RFC 5321 4.5.3.1.4)");
            }
            this.maxCommandLineLength = maxCommandLineLength;
            return this;
        }

        public Builder maxMessageSize(long maxMessageSize) {
            this.maxMessageSize = positive("maxMessageSize", maxMessageSize);
            return this;
        }

        public Builder maxRecipients(int maxRecipients) {
            this.maxRecipients = (int) positive("maxRecipients", maxRecipients);
            return this;
        }

        public Builder maxErrors(int maxErrors) {
            this.maxErrors = (int) positive("maxErrors", maxErrors);
            return this;
        }

        public Builder maxAuthFailures(int maxAuthFailures) {
            this.maxAuthFailures = (int) positive("maxAuthFailures", maxAuthFailures);
            return this;
        }

        public Builder idleTimeout(Duration idleTimeout) {
            this.idleTimeout = positive("idleTimeout", idleTimeout);
            return this;
        }

        public Builder sessionTimeout(Duration sessionTimeout) {
            this.sessionTimeout = positive("sessionTimeout", sessionTimeout);
            return this;
        }

        public Builder writeTimeout(Duration writeTimeout) {
            this.writeTimeout = positive("writeTimeout", writeTimeout);
            return this;
        }

        public Builder authRequired(boolean authRequired) {
            this.authRequired = authRequired;
            return this;
        }

        public Builder tlsRequiredForAuth(boolean tlsRequiredForAuth) {
            this.tlsRequiredForAuth = tlsRequiredForAuth;
            return this;
        }

        public Builder bareLineEndingPolicy(BareLineEndingPolicy bareLineEndingPolicy) {
            this.bareLineEndingPolicy = requireNonNull(bareLineEndingPolicy, "bareLineEndingPolicy");
            return this;
        }

        public SmtpServerConfig build() {
            return new SmtpServerConfig(this);
        }

        private static long positive(String name, long value) {
            if (value <= 0) {
                throw new IllegalArgumentException(name + ": " + value + " (expected: > 0)");
            }
            return value;
        }

        private static Duration positive(String name, Duration value) {
            requireNonNull(value, name);
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(name + ": " + value + " (expected: > 0)");
            }
            return value;
        }
    }
}
