package io.cakemail.gateway.server.limits;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.cakemail.gateway.server.config.GatewayConfig;
import io.cakemail.gateway.server.config.Subnets;
import io.cakemail.gateway.smtp.ClientPolicy;
import io.cakemail.gateway.smtp.SmtpReply;
import io.github.bucket4j.Bucket;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.security.Principal;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import reactor.core.publisher.Mono;

/**
 * What one client may do across its sessions in this pod, as mail servers limit it: connections open at once per
 * address, messages started per minute per address (and per login, when set), and failed logins, too many of which
 * block the address for a while. IPv6 addresses count per prefix ({@code /64} by default), since one host holds a
 * whole prefix. Addresses in the exempt blocks are never limited; a login is, wherever it connects from (its name is
 * the normalised login, so no spelling escapes its limit). Every map is bounded: connection counts by the
 * pod's connection cap (an address leaves with its last connection), the others by size and expiry (Caffeine).
 * Rate limits are token buckets (Bucket4j). Refusals are counted in {@code smtp.limits.refused} tagged {@code limit}
 * and blocks logged; {@code smtp.limits.blocked.clients} is the number of addresses blocked now.
 *
 * <p>With a fleet ({@link FleetLimits}, in Redis), failed logins and messages are counted for the whole fleet too:
 * each pod decides at once with what it knows, and learns from Redis, without waiting for it, that an address went
 * over the fleet's limit (its next messages are refused) or was blocked by another pod (a new connection waits for
 * that answer). The connections an address holds are counted per pod.
 */
public final class ClientLimits implements ClientPolicy {

    static final SmtpReply TOO_MANY_CONNECTIONS =
            SmtpReply.of(421, "4.7.0", "Too many connections from your address, try again later");
    static final SmtpReply BLOCKED_AT_CONNECT =
            SmtpReply.of(421, "4.7.1", "Too many failed logins from your address, try again later");
    static final SmtpReply BLOCKED_AT_AUTH =
            SmtpReply.of(535, "5.7.8", "Too many failed logins from your address, try again later");
    static final SmtpReply TOO_MANY_MESSAGES =
            SmtpReply.of(450, "4.7.1", "Too many messages from your address, try again in a minute");
    static final SmtpReply PREGREET =
            SmtpReply.of(521, "5.5.1", "Protocol error: the client talked before the greeting");
    static final SmtpReply TOO_MANY_LOGIN_MESSAGES =
            SmtpReply.of(450, "4.7.1", "Too many messages for this login, try again in a minute");

    private static final Logger limits = LogManager.getLogger("io.cakemail.gateway.limits");
    /** Addresses (or prefixes) and logins remembered at most, per kind of limit. */
    private static final int REMEMBERED = 100_000;

    private final GatewayConfig.Limits config;
    /** The fleet's counts and blocks in Redis, or {@code null} without one. */
    private final FleetLimits fleet;

    private final ConcurrentHashMap<String, AtomicInteger> connections = new ConcurrentHashMap<>();
    private final Cache<String, Bucket> messageBuckets;
    private final Cache<String, Bucket> loginBuckets;
    private final Cache<String, Bucket> authFailures;
    private final Cache<String, Boolean> blocked;
    private final Counter refusedConnections;
    private final Counter refusedMessages;
    private final Counter refusedLoginMessages;
    private final Counter refusedBlocked;
    private final Counter refusedPregreet;
    private final Counter refusedPodFull;
    private final Counter blocks;

    public ClientLimits(GatewayConfig.Limits config, FleetLimits fleet, MeterRegistry registry) {
        this.config = config;
        this.fleet = fleet;
        messageBuckets = cache(Duration.ofMinutes(2));
        loginBuckets = cache(Duration.ofMinutes(2));
        authFailures = cache(config.authFailureWindow());
        blocked = Caffeine.newBuilder()
                .expireAfterWrite(config.blockDuration())
                .maximumSize(REMEMBERED)
                .executor(Runnable::run)
                .build();
        refusedConnections = refused(registry, "client_connections");
        refusedMessages = refused(registry, "client_messages");
        refusedLoginMessages = refused(registry, "login_messages");
        refusedBlocked = refused(registry, "blocked");
        refusedPregreet = refused(registry, "pregreet");
        refusedPodFull = refused(registry, "pod_connections");
        blocks = Counter.builder("smtp.limits.blocks")
                .description("Client addresses blocked after too many failed logins")
                .register(registry);
        Gauge.builder("smtp.limits.blocked.clients", blocked, Cache::estimatedSize)
                .description("Client addresses blocked now")
                .register(registry);
    }

    private static <V> Cache<String, V> cache(Duration idle) {
        return Caffeine.newBuilder()
                .expireAfterAccess(idle)
                .maximumSize(REMEMBERED)
                .executor(Runnable::run)
                .build();
    }

    private static Counter refused(MeterRegistry registry, String limit) {
        return Counter.builder("smtp.limits.refused")
                .tag("limit", limit)
                .description("Connections, messages and logins refused by a per-client limit")
                .register(registry);
    }

    /**
     * A connection from {@code client} opens: {@code null} when it may go on (it then counts until
     * {@link #connectionClosed}), else the reply that closes it.
     */
    SmtpReply connectionOpening(SocketAddress client) {
        if (isExempt(client)) {
            return null;
        }
        String key = key(client);
        if (blocked.getIfPresent(key) != null) {
            refusedBlocked.increment();
            return BLOCKED_AT_CONNECT;
        }
        AtomicInteger open = connections.computeIfAbsent(key, k -> new AtomicInteger());
        if (open.incrementAndGet() > config.connectionsPerClient()) {
            connectionClosed(client);
            refusedConnections.increment();
            return TOO_MANY_CONNECTIONS;
        }
        return null;
    }

    /** A connection that {@link #connectionOpening} let in has closed. */
    void connectionClosed(SocketAddress client) {
        if (!isExempt(client)) {
            connections.computeIfPresent(key(client), (k, open) -> open.decrementAndGet() <= 0 ? null : open);
        }
    }

    /** A connection came while the pod held its most connections ({@code GATEWAY_MAX_CONNECTIONS}); it is refused. */
    void podFull() {
        refusedPodFull.increment();
    }

    /** A client sent octets before its session greeted it; it is refused. */
    void talkedBeforeGreeting() {
        refusedPregreet.increment();
    }

    /** Whether the fleet must be asked, before a connection from {@code client} starts, if it is blocked. */
    boolean asksFleet(SocketAddress client) {
        return fleet != null && !isExempt(client);
    }

    /** Whether the fleet blocked {@code client} (then it is blocked here too); see {@link #asksFleet}. */
    Mono<Boolean> blockedInFleet(SocketAddress client) {
        String key = key(client);
        return fleet.isBlocked(key).doOnNext(blockedThere -> {
            if (blockedThere) {
                blocked.put(key, Boolean.TRUE);
                refusedBlocked.increment();
            }
        });
    }

    @Override
    public SmtpReply mailStarting(SocketAddress client, Principal login) {
        if (!isExempt(client)
                && config.messagesPerMinute() > 0
                && !withinRate(messageBuckets, key(client), config.messagesPerMinute())) {
            refusedMessages.increment();
            return TOO_MANY_MESSAGES;
        }
        if (login != null
                && config.loginMessagesPerMinute() > 0
                && !withinRate(loginBuckets, "login:" + login.getName(), config.loginMessagesPerMinute())) {
            refusedLoginMessages.increment();
            return TOO_MANY_LOGIN_MESSAGES;
        }
        return null;
    }

    /**
     * Whether a message of {@code key} is within its rate: this pod's bucket, and what the fleet counted so far (the
     * fleet learns of this one a moment later).
     */
    private boolean withinRate(Cache<String, Bucket> buckets, String key, int perMinute) {
        if (fleet != null && fleet.isOver(key) || !perMinute(buckets, key, perMinute)) {
            return false;
        }
        if (fleet != null) {
            fleet.messageStarted(key, perMinute);
        }
        return true;
    }

    /** Takes one token from the bucket of {@code key}, which holds {@code perMinute} and refills them each minute. */
    private static boolean perMinute(Cache<String, Bucket> buckets, String key, int perMinute) {
        return buckets.get(
                        key,
                        k -> Bucket.builder()
                                .addLimit(limit ->
                                        limit.capacity(perMinute).refillGreedy(perMinute, Duration.ofMinutes(1)))
                                .build())
                .tryConsume(1);
    }

    @Override
    public SmtpReply authenticating(SocketAddress client) {
        if (!isExempt(client) && blocked.getIfPresent(key(client)) != null) {
            refusedBlocked.increment();
            return BLOCKED_AT_AUTH;
        }
        return null;
    }

    @Override
    public SmtpReply authenticationRefused(SocketAddress client) {
        if (config.authFailures() <= 0 || isExempt(client)) {
            return null;
        }
        String key = key(client);
        if (fleet != null) {
            fleet.loginFailed(key, config.authFailures(), config.authFailureWindow(), config.blockDuration())
                    .subscribe(blockedNow -> {
                        if (blockedNow) {
                            block(key, "in the fleet");
                        }
                    });
        }
        Bucket failures = authFailures.get(
                key,
                k -> Bucket.builder()
                        .addLimit(limit -> limit.capacity(config.authFailures())
                                .refillGreedy(config.authFailures(), config.authFailureWindow()))
                        .build());
        if (failures.tryConsume(1) && failures.getAvailableTokens() > 0) {
            return null;
        }
        authFailures.invalidate(key);
        block(key, "here");
        return BLOCKED_AT_CONNECT;
    }

    private void block(String key, String where) {
        if (blocked.asMap().putIfAbsent(key, Boolean.TRUE) == null) {
            blocks.increment();
            limits.warn(
                    "Blocking {} for {}: {} failed logins within {} {}",
                    key,
                    config.blockDuration(),
                    config.authFailures(),
                    config.authFailureWindow(),
                    where);
        }
    }

    private boolean isExempt(SocketAddress client) {
        return config.exempt().contains(client);
    }

    /** The address a limit counts: an IPv4 address, or an IPv6 address's prefix. */
    private String key(SocketAddress client) {
        if (!(client instanceof InetSocketAddress inet) || inet.getAddress() == null) {
            return String.valueOf(client);
        }
        InetAddress address = inet.getAddress();
        if (!(address instanceof Inet6Address)) {
            return address.getHostAddress();
        }
        int prefix = config.ipv6Prefix();
        try {
            return InetAddress.getByAddress(Subnets.masked(address.getAddress(), prefix))
                            .getHostAddress() + "/" + prefix;
        } catch (UnknownHostException impossible) { // sixteen octets are always an address
            throw new IllegalStateException(impossible);
        }
    }
}
