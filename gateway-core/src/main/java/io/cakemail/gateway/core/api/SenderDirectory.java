package io.cakemail.gateway.core.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import io.cakemail.gateway.common.SessionLog;
import io.cakemail.gateway.core.http.ApiHttp;
import io.netty.handler.codec.http.HttpMethod;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import reactor.core.publisher.Mono;

/**
 * Finds the {@code sender.id} of an address among an account's senders ({@code GET /brands/default/senders}, every
 * page: until the {@code count} the API reports with {@code with_count=true} is reached, or an empty page. A short
 * page is not the end: the API documents no maximum for {@code per_page} and may serve fewer). The list is cached per
 * account for a while; an address not in it makes one fresh fetch if the list is old enough, so a sender confirmed
 * a minute ago works without waiting for the cache to expire.
 */
public final class SenderDirectory {

    /** What an address is to an account. */
    public enum Status {
        CONFIRMED,
        UNCONFIRMED,
        UNKNOWN
    }

    /** A lookup's answer; {@code id} is set when confirmed. */
    public record Match(Status status, String id) {}

    /** API trouble an outage repeats for every lookup: the logging configuration rate-limits this logger. */
    private static final SessionLog api = SessionLog.of("io.cakemail.gateway.api");

    private static final int PER_PAGE = 100;
    private static final int MAX_PAGES = 100;

    private final TokenService tokens;
    private final ApiHttp http;
    private final ApiConfig config;
    private final Ticker ticker;
    private final AsyncCache<AccountKey, Senders> cache;

    SenderDirectory(TokenService tokens, ApiHttp http, ApiConfig config, Ticker ticker) {
        this.tokens = tokens;
        this.http = http;
        this.config = config;
        this.ticker = ticker;
        this.cache = Caffeine.newBuilder()
                .ticker(ticker)
                .expireAfterWrite(config.senderCacheTtl())
                .maximumSize(10_000)
                .buildAsync();
    }

    /** Whose senders: a login, acting for one of its accounts or its own. */
    private record AccountKey(String credential, Long accountId) {}

    /** The account's senders, by lower-cased address, and when they were fetched ({@link ApiServices#ticker}). */
    private record Senders(Map<String, Match> byAddress, long fetchedAt) {}

    /** The sender {@code address} is for {@code principal} (acting for {@code accountId}, may be null). */
    public Mono<Match> find(ApiPrincipal principal, Long accountId, String address) {
        AccountKey key = new AccountKey(principal.credentialKey(), accountId);
        String wanted = address.toLowerCase(Locale.ROOT);
        return senders(key, principal, accountId).flatMap(senders -> {
            Match match = senders.byAddress().get(wanted);
            long age = ticker.read() - senders.fetchedAt();
            if (match != null || age < config.senderMissRefresh().toNanos()) {
                return Mono.just(match != null ? match : new Match(Status.UNKNOWN, null));
            }
            cache.asMap().remove(key);
            return senders(key, principal, accountId)
                    .map(fresh -> fresh.byAddress().getOrDefault(wanted, new Match(Status.UNKNOWN, null)));
        });
    }

    private Mono<Senders> senders(AccountKey key, ApiPrincipal principal, Long accountId) {
        return Mono.fromFuture(() -> cache.get(
                key,
                (k, executor) ->
                        fetch(principal, accountId, 1, 0, new HashMap<>()).toFuture()));
    }

    /** Page {@code page} and the following ones, {@code seen} senders listed so far. */
    private Mono<Senders> fetch(ApiPrincipal principal, Long accountId, int page, int seen, Map<String, Match> found) {
        String uri = "/brands/default/senders?page=" + page + "&per_page=" + PER_PAGE + "&with_count=true"
                + (accountId == null ? "" : "&account_id=" + accountId);
        return tokens.authorized(principal, token -> http.send(HttpMethod.GET, uri, token, null, null, null))
                .onErrorMap(e -> !(e instanceof AuthenticationException), e -> {
                    api.warn(principal.session(), "Cakemail API unreachable listing senders: {}", e.toString());
                    return new ApiUnavailableException("Cakemail API unreachable, try again later");
                })
                .flatMap(response -> {
                    if (response.status() != 200) {
                        api.warn(
                                principal.session(),
                                "Cakemail API answered {} listing senders: {}",
                                response.status(),
                                response.reason());
                        return Mono.error(new ApiUnavailableException(
                                "listing senders answered " + response.status() + ": " + response.reason()));
                    }
                    JsonNode data = response.json().path("data");
                    for (JsonNode sender : data) {
                        boolean confirmed = sender.path("confirmed").asBoolean(false);
                        found.putIfAbsent(
                                sender.path("email").asText("").toLowerCase(Locale.ROOT),
                                confirmed
                                        ? new Match(
                                                Status.CONFIRMED,
                                                sender.path("id").asText())
                                        : new Match(Status.UNCONFIRMED, null));
                    }
                    int listed = seen + data.size();
                    JsonNode count = response.json().path("pagination").path("count");
                    if (data.isEmpty() || count.isNumber() && listed >= count.asLong() || page >= MAX_PAGES) {
                        return Mono.just(new Senders(Map.copyOf(found), ticker.read()));
                    }
                    return fetch(principal, accountId, page + 1, listed, found);
                });
    }
}
