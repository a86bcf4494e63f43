package io.cakemail.gateway.server.redis;

import io.cakemail.gateway.server.config.GatewayConfig;
import io.cakemail.gateway.server.limits.FleetLimits;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.EventLoopGroup;

/**
 * What a gateway shares with the others of its fleet through Redis ({@code GATEWAY_REDIS_URL}): the connection, the
 * no-resend ledger and the per-client limits' counts, started together and closed together, the connection last.
 */
public final class Fleet implements AutoCloseable {

    final RedisConnection redis;
    public final RedisLedger ledger;
    public final FleetLimits limits;

    private Fleet(RedisConnection redis, RedisLedger ledger, FleetLimits limits) {
        this.redis = redis;
        this.ledger = ledger;
        this.limits = limits;
    }

    /** The fleet's share of {@code config}, or {@code null} without a Redis URL. */
    public static Fleet start(GatewayConfig config, MeterRegistry registry, EventLoopGroup loops) {
        if (config.redis().url() == null) {
            return null;
        }
        RedisConnection redis = new RedisConnection(config.redis(), registry, loops);
        return new Fleet(
                redis,
                new RedisLedger(
                        redis,
                        registry,
                        config.redis().ledgerFailOpen(),
                        config.api().acceptedMemory(),
                        config.api().acceptedMemorySize()),
                new FleetLimits(redis));
    }

    @Override
    public void close() {
        limits.close();
        ledger.close();
        redis.close();
    }
}
