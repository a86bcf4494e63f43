package io.cakemail.gateway.core.api;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Ticker;
import io.cakemail.gateway.core.http.ApiMetricsRecorder;

/**
 * What the API client uses without configuring it: the clock its caches, tokens and breaker read, the recorder of its
 * exchanges for the operator's metrics, and the no-resend ledger ({@code null} for one in this process, a
 * {@link LocalLedger} sized by the configuration).
 */
public record ApiServices(Ticker ticker, ApiMetricsRecorder metrics, AcceptedLedger ledger) {

    /** The system clock, no metrics, a ledger in this process. */
    public static final ApiServices DEFAULT = new ApiServices(Ticker.systemTicker(), ApiMetricsRecorder.NONE, null);

    public ApiServices {
        requireNonNull(ticker, "ticker");
        requireNonNull(metrics, "metrics");
    }

    public ApiServices withTicker(Ticker other) {
        return new ApiServices(other, metrics, ledger);
    }

    public ApiServices withMetrics(ApiMetricsRecorder other) {
        return new ApiServices(ticker, other, ledger);
    }

    public ApiServices withLedger(AcceptedLedger other) {
        return new ApiServices(ticker, metrics, other);
    }
}
