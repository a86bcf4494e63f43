package io.cakemail.gateway.core.api;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import reactor.core.publisher.Mono;

/**
 * The no-resend ledger in this process: at most {@link ApiConfig#acceptedMemorySize} recipients, each for
 * {@link ApiConfig#acceptedMemory}, the oldest forgotten first. While it is empty, the usual case, a lookup costs
 * nothing.
 */
public final class LocalLedger implements AcceptedLedger {

    private static final Mono<Map<String, String>> NOTHING = Mono.just(Map.of());
    /** Where a message's metadata is kept: no recipient's key, which holds an {@code @}. */
    private static final String METADATA = "metadata";

    private final Cache<String, String> accepted;

    public LocalLedger(ApiConfig config) {
        this(config, Ticker.systemTicker());
    }

    /** @param ticker the clock of the records' lives */
    public LocalLedger(ApiConfig config, Ticker ticker) {
        accepted = Caffeine.newBuilder()
                .ticker(ticker)
                .expireAfterWrite(config.acceptedMemory())
                .maximumSize(config.acceptedMemorySize())
                .executor(Runnable::run) // upkeep inline, not a hand-over to another thread per write
                .build();
    }

    @Override
    public Mono<Map<String, String>> accepted(Supplier<String> identity, List<String> recipients) {
        if (accepted.estimatedSize() == 0) {
            return NOTHING;
        }
        String message = identity.get();
        Map<String, String> found = new HashMap<>();
        for (String recipient : recipients) {
            String emailId = accepted.getIfPresent(key(message, recipient));
            if (emailId != null) {
                found.put(recipient, emailId);
            }
        }
        return Mono.just(found);
    }

    @Override
    public Mono<Void> remember(String message, Map<String, String> emailIds, Map<String, String> metadata) {
        emailIds.forEach((recipient, emailId) -> accepted.put(key(message, recipient), emailId));
        if (!metadata.isEmpty()) {
            accepted.put(key(message, METADATA), LedgerMetadata.json(metadata));
        }
        return Mono.empty();
    }

    @Override
    public Mono<Void> forget(String message, Collection<String> recipients) {
        for (String recipient : recipients) {
            accepted.invalidate(key(message, recipient));
        }
        return Mono.empty();
    }

    private static String key(String message, String recipient) {
        return message + '\n' + recipient;
    }
}
