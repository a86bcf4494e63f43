package io.cakemail.gateway.core.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import io.cakemail.gateway.common.SessionLog;
import io.cakemail.gateway.core.http.ApiHttp;
import io.cakemail.gateway.core.http.ApiResponse;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import reactor.core.publisher.Mono;

/**
 * Cakemail access tokens for SMTP logins ({@code POST /token}, form-encoded). Tokens are cached under a keyed hash
 * of the credentials (HMAC-SHA256 with a key made at start), never under the password; concurrent logins with the
 * same credentials share one call; a token is refreshed before it runs out (refresh grant, then password grant);
 * wrong credentials are remembered briefly so a client retrying in a loop does not hammer the API. Only a refused
 * password grant means wrong credentials: a refused refresh grant (every token revoked after a password change, a
 * refresh token expired) falls back to the password grant and is not held against the login. A refused password
 * grant also drops the token cached for those credentials: a password the API refused stays refused until the API
 * accepts it again. Logins are {@linkplain ApiPrincipal#normalize normalised} before anything else, and every cache is
 * bounded.
 */
final class TokenService {

    private static final SessionLog log = SessionLog.of(TokenService.class);
    /** API trouble an outage repeats for every login: the logging configuration rate-limits this logger. */
    private static final SessionLog api = SessionLog.of("io.cakemail.gateway.api");

    /** Credentials remembered at most, by each cache. */
    private static final int REMEMBERED = 100_000;

    private final ApiHttp http;
    private final ApiConfig config;
    /** The clock of the tokens' lives. */
    private final Ticker ticker;

    private final SecretKeySpec hashKey;
    private final Cache<String, TokenState> tokens;
    private final Cache<String, Boolean> badCredentials;
    private final Map<String, CompletableFuture<TokenState>> inFlight = new ConcurrentHashMap<>();

    TokenService(ApiHttp http, ApiConfig config, Ticker ticker) {
        this.http = http;
        this.config = config;
        this.ticker = ticker;
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        this.hashKey = new SecretKeySpec(key, "HmacSHA256");
        this.tokens = Caffeine.newBuilder()
                .ticker(ticker)
                .expireAfter(new Expiry<String, TokenState>() {
                    @Override
                    public long expireAfterCreate(String k, TokenState state, long now) {
                        return Math.max(0, state.expiresAt() - now);
                    }

                    @Override
                    public long expireAfterUpdate(String k, TokenState state, long now, long current) {
                        return expireAfterCreate(k, state, now);
                    }

                    @Override
                    public long expireAfterRead(String k, TokenState state, long now, long current) {
                        return current;
                    }
                })
                .maximumSize(REMEMBERED)
                .build();
        this.badCredentials = Caffeine.newBuilder()
                .ticker(ticker)
                .expireAfterWrite(config.badCredentialsMemory())
                .maximumSize(REMEMBERED)
                .build();
    }

    /** The logins whose tokens are cached now. */
    long cachedTokens() {
        return tokens.estimatedSize();
    }

    /** A token's strings and its deadlines, in the terms of {@link ApiServices#ticker}. */
    record TokenState(String accessToken, String refreshToken, long expiresAt, long refreshAt) {
        @Override
        public String toString() {
            return "TokenState[accessToken=***, refreshToken=***, expiresAt=" + expiresAt + ", refreshAt=" + refreshAt
                    + "]";
        }

        boolean expired(long now) {
            return now - expiresAt >= 0;
        }

        boolean due(long now) {
            return now - refreshAt >= 0;
        }
    }

    /**
     * Logs in; fails with {@link AuthenticationException}. Cached credentials answer without a call to the API.
     */
    public Mono<ApiPrincipal> login(String session, String username, String password) {
        String login = ApiPrincipal.normalize(username);
        String key = credentialKey(login, password);
        ApiPrincipal principal = new ApiPrincipal(session, login, password, key);
        if (badCredentials.getIfPresent(key) != null) {
            return Mono.error(new AuthenticationException(
                    AuthenticationException.Kind.BAD_CREDENTIALS, "Authentication credentials invalid"));
        }
        TokenState cached = tokens.getIfPresent(key);
        if (cached != null && !cached.expired(ticker.read())) {
            return Mono.just(principal);
        }
        return Mono.fromFuture(() -> obtain(key, () -> passwordGrant(principal)))
                .thenReturn(principal);
    }

    /**
     * Runs {@code call} with a valid access token; when the API answers 401, gets a new token once and runs it
     * again.
     */
    Mono<ApiResponse> authorized(ApiPrincipal principal, Function<String, Mono<ApiResponse>> call) {
        return accessToken(principal)
                .flatMap(token -> call.apply(token)
                        .flatMap(response -> response.status() == 401
                                ? renew(principal, token).flatMap(call)
                                : Mono.just(response)));
    }

    /** A valid access token, refreshing it first if it ran out, or in the background if it soon will. */
    Mono<String> accessToken(ApiPrincipal principal) {
        long now = ticker.read();
        TokenState mine = principal.token();
        if (mine != null && !mine.due(now)) {
            return Mono.just(mine.accessToken());
        }
        String key = principal.credentialKey();
        TokenState state = tokens.getIfPresent(key);
        if (state != null && !state.expired(now)) {
            principal.token(state);
            if (state.due(now)) {
                obtain(key, () -> refreshOrLogin(principal, state)).thenAccept(principal::token);
            }
            return Mono.just(state.accessToken());
        }
        return Mono.fromFuture(() -> obtain(key, () -> refreshOrLogin(principal, state)))
                .doOnNext(principal::token)
                .map(TokenState::accessToken);
    }

    /** A new token after the API refused {@code rejected}, unless another call already replaced it. */
    Mono<String> renew(ApiPrincipal principal, String rejected) {
        String key = principal.credentialKey();
        TokenState state = tokens.getIfPresent(key);
        if (state != null && !state.accessToken().equals(rejected) && !state.expired(ticker.read())) {
            principal.token(state);
            return Mono.just(state.accessToken());
        }
        log.debug(principal.session(), "Access token of {} refused, renewing it", principal.getName());
        principal.token(null);
        return Mono.fromFuture(() -> obtain(key, () -> refreshOrLogin(principal, state)))
                .doOnNext(principal::token)
                .map(TokenState::accessToken);
    }

    /** One call per key at a time: concurrent callers share the pending answer. */
    private CompletableFuture<TokenState> obtain(String key, Supplier<Mono<TokenState>> fetch) {
        CompletableFuture<TokenState> mine = new CompletableFuture<>();
        CompletableFuture<TokenState> pending = inFlight.putIfAbsent(key, mine);
        if (pending != null) {
            return pending;
        }
        fetch.get()
                .subscribe(
                        state -> {
                            tokens.put(key, state);
                            inFlight.remove(key, mine);
                            mine.complete(state);
                        },
                        error -> {
                            inFlight.remove(key, mine);
                            mine.completeExceptionally(error);
                        });
        return mine;
    }

    private Mono<TokenState> refreshOrLogin(ApiPrincipal principal, TokenState previous) {
        if (previous == null || previous.refreshToken() == null) {
            return passwordGrant(principal);
        }
        return grant("grant_type=refresh_token&refresh_token=" + encode(previous.refreshToken()), principal, false)
                .onErrorResume(e -> {
                    log.info(
                            principal.session(),
                            "Refresh grant for {} failed ({}); logging in with the password",
                            principal.getName(),
                            e.getMessage());
                    return passwordGrant(principal);
                })
                .doOnError(e -> api.warn(
                        principal.session(),
                        "Renewing the access token of {} failed: {}",
                        principal.getName(),
                        e.getMessage()));
    }

    private Mono<TokenState> passwordGrant(ApiPrincipal principal) {
        return grant(
                "grant_type=password&username=" + encode(principal.getName()) + "&password="
                        + encode(principal.password()),
                principal,
                true);
    }

    /** @param password whether this is the password grant, whose refusal means wrong credentials */
    private Mono<TokenState> grant(String form, ApiPrincipal principal, boolean password) {
        return http.postForm("/token", form)
                .onErrorMap(e -> !(e instanceof AuthenticationException), e -> {
                    api.warn(principal.session(), "Cakemail API unreachable for POST /token: {}", e.toString());
                    return new AuthenticationException(
                            AuthenticationException.Kind.UNAVAILABLE, "Cakemail API unreachable, try again later");
                })
                .flatMap(response -> tokenFrom(response, principal, password));
    }

    private Mono<TokenState> tokenFrom(ApiResponse response, ApiPrincipal principal, boolean password) {
        JsonNode body = response.json();
        if (body.has("challenge")) {
            return Mono.error(new AuthenticationException(
                    AuthenticationException.Kind.MFA_REQUIRED,
                    "This Cakemail account uses multi-factor authentication, which SMTP cannot carry;"
                            + " use a dedicated API user without it"));
        }
        if (response.status() == 200 && body.hasNonNull("access_token")) {
            long lifetime = Math.max(1, body.path("expires_in").asLong(3600)) * 1_000_000_000L;
            long now = ticker.read();
            long margin = Math.min(config.tokenRefreshMargin().toNanos(), lifetime / 2);
            return Mono.just(new TokenState(
                    body.get("access_token").asText(),
                    body.path("refresh_token").asText(null),
                    now + lifetime,
                    now + lifetime - margin));
        }
        if (response.status() == 400
                || response.status() == 401
                || response.status() == 403
                || response.status() == 422) {
            if (!password) {
                return Mono.error(new AuthenticationException(
                        AuthenticationException.Kind.UNAVAILABLE, "refresh token refused (" + response.status() + ")"));
            }
            badCredentials.put(principal.credentialKey(), Boolean.TRUE);
            tokens.invalidate(principal.credentialKey());
            return Mono.error(new AuthenticationException(
                    AuthenticationException.Kind.BAD_CREDENTIALS, "Authentication credentials invalid"));
        }
        api.warn(
                principal.session(),
                "Cakemail API answered {} to POST /token: {}",
                response.status(),
                response.reason());
        return Mono.error(new AuthenticationException(
                AuthenticationException.Kind.UNAVAILABLE,
                "Cakemail API could not log in now (HTTP " + response.status() + "), try again later"));
    }

    private String credentialKey(String username, String password) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(hashKey);
            mac.update(username.getBytes(StandardCharsets.UTF_8));
            mac.update((byte) 0);
            return HexFormat.of().formatHex(mac.doFinal(password.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
