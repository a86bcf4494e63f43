package io.cakemail.sandbox;

import io.netty.handler.codec.http.HttpHeaderNames;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import reactor.netty.http.server.HttpServerRequest;

/**
 * Access and refresh tokens. Access tokens expire after the configured lifetime (or at once with
 * {@link #expireAll()}); refresh tokens do not expire but are single-use.
 */
final class TokenStore {

    private final SecureRandom random;
    private final Map<String, Session> access = new ConcurrentHashMap<>();
    private final Map<String, SandboxConfig.Account> refresh = new ConcurrentHashMap<>();
    private final Clock clock;

    TokenStore(Clock clock, SecureRandom random) {
        this.clock = clock;
        this.random = random;
    }

    /** A session: the account and when its access token stops working. */
    record Session(SandboxConfig.Account account, Instant expires) {}

    /** A new token pair for {@code account}. */
    String[] issue(SandboxConfig.Account account, Duration lifetime) {
        String accessToken = newToken();
        String refreshToken = newToken();
        access.put(accessToken, new Session(account, clock.instant().plus(lifetime)));
        refresh.put(refreshToken, account);
        return new String[] {accessToken, refreshToken};
    }

    /** The account behind a refresh token, which is used up; {@code null} if unknown. */
    SandboxConfig.Account redeem(String refreshToken) {
        return refreshToken == null ? null : refresh.remove(refreshToken);
    }

    /** The live session of an access token, or {@code null}. */
    Session session(String accessToken) {
        Session session = accessToken == null ? null : access.get(accessToken);
        return session != null && session.expires().isAfter(clock.instant()) ? session : null;
    }

    /** The live session of the request's bearer token, or {@code null}. */
    Session session(HttpServerRequest request) {
        String authorization = request.requestHeaders().get(HttpHeaderNames.AUTHORIZATION);
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        return session(authorization.substring(7).trim());
    }

    /** Every access and refresh token known now. */
    Set<String> all() {
        Set<String> all = new HashSet<>(access.keySet());
        all.addAll(refresh.keySet());
        return all;
    }

    /** Makes every access token expired now. */
    void expireAll() {
        access.replaceAll((token, session) -> new Session(session.account(), Instant.EPOCH));
    }

    /** Forgets every token, access and refresh. */
    void revokeAll() {
        access.clear();
        refresh.clear();
    }

    private String newToken() {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
