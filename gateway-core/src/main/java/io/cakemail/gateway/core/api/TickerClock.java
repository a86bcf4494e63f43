package io.cakemail.gateway.core.api;

import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A {@link Clock} that moves with a {@link Ticker}, for the circuit breaker, which measures its open state with a
 * clock: the instant is when this was made, plus the ticker's time since.
 */
final class TickerClock extends Clock {

    private final Ticker ticker;
    private final Instant start = Instant.now();
    private final long startNanos;

    TickerClock(Ticker ticker) {
        this.ticker = ticker;
        this.startNanos = ticker.read();
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    @Override
    public Instant instant() {
        return start.plusNanos(ticker.read() - startNanos);
    }
}
