package io.cakemail.gateway.server.config;

import io.cakemail.gateway.common.Setting;
import io.cakemail.gateway.common.SettingTable;
import java.time.Duration;

/** The settings of the limits on each client address, across its sessions ({@link GatewayConfig.Limits}). */
final class ClientLimitSettings {

    static final SettingTable<GatewayConfig.Builder> TABLE = SettingTable.<GatewayConfig.Builder>of()
            .row(
                    Setting.integer(
                            "GATEWAY_LIMIT_CONNECTIONS_PER_CLIENT", 10, 1, "Concurrent connections per client address"),
                    (gateway, count) -> gateway.connectionsPerClient = count)
            .row(
                    Setting.integer(
                            "GATEWAY_LIMIT_MESSAGES_PER_MINUTE",
                            100,
                            0,
                            "Messages a client address may start a minute (0: no limit)"),
                    (gateway, count) -> gateway.messagesPerMinute = count)
            .row(
                    Setting.integer(
                            "GATEWAY_LIMIT_LOGIN_MESSAGES_PER_MINUTE",
                            0,
                            0,
                            "Messages a login may start a minute (0: no limit)"),
                    (gateway, count) -> gateway.loginMessagesPerMinute = count)
            .row(
                    Setting.integer(
                            "GATEWAY_LIMIT_AUTH_FAILURES",
                            5,
                            0,
                            "Failed logins from an address within GATEWAY_LIMIT_AUTH_WINDOW that block it (0: never)"),
                    (gateway, count) -> gateway.authFailures = count)
            .row(
                    Setting.duration(
                            "GATEWAY_LIMIT_AUTH_WINDOW",
                            Duration.ofMinutes(5),
                            "The window failed logins are counted in"),
                    (gateway, window) -> gateway.authFailureWindow = window)
            .row(
                    Setting.duration(
                            "GATEWAY_LIMIT_BLOCK_DURATION",
                            Duration.ofHours(1),
                            "How long a blocked address is refused"),
                    (gateway, duration) -> gateway.blockDuration = duration)
            .row(
                    Setting.integer(
                            "GATEWAY_LIMIT_IPV6_PREFIX",
                            64,
                            1,
                            128,
                            "IPv6 clients are limited per prefix of this length"),
                    (gateway, length) -> gateway.ipv6Prefix = length)
            .row(
                    Subnets.setting(
                            "GATEWAY_LIMITS_EXEMPT_CIDRS",
                            "127.0.0.0/8,::1/128",
                            "Addresses no per-client limit applies to (behind a balancer without PROXY protocol, not"
                                    + " the balancer)"),
                    (gateway, subnets) -> gateway.exempt = subnets);

    private ClientLimitSettings() {}
}
