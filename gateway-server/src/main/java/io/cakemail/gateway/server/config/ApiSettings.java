package io.cakemail.gateway.server.config;

import io.cakemail.gateway.common.Setting;
import io.cakemail.gateway.common.SettingTable;
import io.cakemail.gateway.core.api.ApiConfig;
import java.time.Duration;
import java.util.Locale;

/** The settings of the API client, their defaults {@link ApiConfig#DEFAULTS}'. */
final class ApiSettings {

    private static final ApiConfig DEFAULT = ApiConfig.DEFAULTS;

    /** Unset, it is on exactly when the gateway sends to its own sandbox. */
    static final Setting<Boolean> H2C = Setting.flag(
                    "GATEWAY_API_H2C", false, "HTTP/2 without TLS (h2c) to an http:// API")
            .withoutDefault("true for the sandbox, false otherwise");

    static final Setting<Duration> DEADLINE = Setting.duration(
            "GATEWAY_API_DEADLINE",
            DEFAULT.messageDeadline(),
            "Longest time a message's submissions may take, retries included");

    static final SettingTable<ApiConfig.Builder> TABLE = SettingTable.<ApiConfig.Builder>of()
            .row(H2C, ApiConfig.Builder::h2c)
            .row(
                    Setting.integer(
                            "GATEWAY_API_MAX_CONNECTIONS",
                            DEFAULT.maxConnections(),
                            1,
                            "Most connections to the API, shared among the event loops (at least one each); one is"
                                    + " opened only when the open ones have no free stream, and closed after 60 s"
                                    + " unused. HTTP/2 multiplexes requests on each, HTTP/1.1 carries one at a time"),
                    ApiConfig.Builder::maxConnections)
            .row(
                    Setting.integer(
                            "GATEWAY_API_MAX_STREAMS",
                            DEFAULT.maxConcurrentStreams(),
                            1,
                            "Requests in flight on one API connection, at most"),
                    ApiConfig.Builder::maxConcurrentStreams)
            .row(
                    Setting.duration(
                            "GATEWAY_API_CONNECT_TIMEOUT",
                            DEFAULT.connectTimeout(),
                            "Longest wait for a connection to the API"),
                    ApiConfig.Builder::connectTimeout)
            .row(
                    Setting.duration(
                            "GATEWAY_API_RESPONSE_TIMEOUT",
                            DEFAULT.responseTimeout(),
                            "Longest wait for the API's answer to a login or a sender lookup"),
                    ApiConfig.Builder::responseTimeout)
            .row(
                    Setting.duration(
                            "GATEWAY_API_PING_AFTER",
                            DEFAULT.pingAfterQuiet(),
                            "Silence on an API connection with requests open before a PING; as long again, and it is"
                                    + " closed"),
                    ApiConfig.Builder::pingAfterQuiet)
            .row(DEADLINE, ApiConfig.Builder::messageDeadline)
            .row(
                    Setting.integer(
                            "GATEWAY_API_MAX_ATTEMPTS",
                            DEFAULT.maxAttempts(),
                            1,
                            "Tries per recipient when the API fails on the way or answers 5xx"),
                    ApiConfig.Builder::maxAttempts)
            .row(
                    Setting.duration(
                            "GATEWAY_API_BACKOFF",
                            DEFAULT.backoffBase(),
                            "Wait before the second try, doubled for each next one (with jitter)"),
                    ApiConfig.Builder::backoffBase)
            .row(
                    Setting.duration("GATEWAY_API_BACKOFF_MAX", DEFAULT.backoffMax(), "Longest wait between tries"),
                    ApiConfig.Builder::backoffMax)
            .row(
                    Setting.integer(
                            "GATEWAY_BREAKER_WINDOW",
                            DEFAULT.breakerWindow(),
                            1,
                            "Calls to the API the circuit breaker judges by"),
                    ApiConfig.Builder::breakerWindow)
            .row(
                    Setting.integer(
                            "GATEWAY_BREAKER_MINIMUM_CALLS",
                            DEFAULT.breakerMinimumCalls(),
                            1,
                            "Calls before the circuit breaker may open"),
                    ApiConfig.Builder::breakerMinimumCalls)
            .row(
                    Setting.integer(
                            "GATEWAY_BREAKER_FAILURE_RATE",
                            Math.round(DEFAULT.breakerFailureRate()),
                            1,
                            100,
                            "Percent of failed calls that opens the circuit breaker"),
                    (api, percent) -> api.breakerFailureRate(percent))
            .row(
                    Setting.duration(
                            "GATEWAY_BREAKER_OPEN_DURATION",
                            DEFAULT.breakerOpenDuration(),
                            "How long an open circuit breaker answers 451 before trying the API again"),
                    ApiConfig.Builder::breakerOpenDuration)
            .row(
                    Setting.duration(
                            "GATEWAY_NO_RESEND_MEMORY",
                            DEFAULT.acceptedMemory(),
                            "How long recipients accepted in a message answered 451 are not sent it again"),
                    ApiConfig.Builder::acceptedMemory)
            .row(
                    Setting.durationOrZero(
                            "GATEWAY_DOUBT_CHECK_AFTER",
                            DEFAULT.doubtCheckAfter(),
                            "How long after a submission in doubt the API's log (GET /v2/logs/emails) is trusted to"
                                    + " show it; a retry sooner is deferred again"),
                    ApiConfig.Builder::doubtCheckAfter)
            .row(
                    Setting.integer(
                            "GATEWAY_NO_RESEND_MAX",
                            (int) DEFAULT.acceptedMemorySize(),
                            1,
                            "Recipients the no-resend memory holds (500 octets each at most)"),
                    (api, count) -> api.acceptedMemorySize(count))
            .row(
                    Setting.duration(
                            "GATEWAY_TOKEN_REFRESH_MARGIN",
                            DEFAULT.tokenRefreshMargin(),
                            "An access token is renewed when less than this is left of its life"),
                    ApiConfig.Builder::tokenRefreshMargin)
            .row(
                    Setting.duration(
                            "GATEWAY_BAD_CREDENTIALS_MEMORY",
                            DEFAULT.badCredentialsMemory(),
                            "How long wrong credentials are refused without asking the API again"),
                    ApiConfig.Builder::badCredentialsMemory)
            .row(
                    Setting.duration(
                            "GATEWAY_SENDER_CACHE",
                            DEFAULT.senderCacheTtl(),
                            "How long an account's confirmed senders are kept"),
                    ApiConfig.Builder::senderCacheTtl)
            .row(
                    Setting.choice(
                            "GATEWAY_DEFAULT_EMAIL_TYPE",
                            EmailType.valueOf(DEFAULT.defaultEmailType().toUpperCase(Locale.ROOT)),
                            EmailType.class,
                            "content.type without X-Email-Api-Type: transactional or marketing"),
                    (api, type) -> api.defaultEmailType(type.name().toLowerCase(Locale.ROOT)))
            .row(
                    Setting.integer("GATEWAY_DEFAULT_LIST_ID", 1, 1, "list_id without X-List-Id")
                            .withoutDefault("none"),
                    (api, id) -> api.defaultListId((long) id));

    /** The values of {@code GATEWAY_DEFAULT_EMAIL_TYPE}. */
    enum EmailType {
        TRANSACTIONAL,
        MARKETING
    }

    private ApiSettings() {}
}
