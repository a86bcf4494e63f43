package io.cakemail.gateway.server.config;

import io.cakemail.gateway.common.Setting;
import io.cakemail.gateway.common.SettingTable;
import io.cakemail.gateway.smtp.BareLineEndingPolicy;
import io.cakemail.gateway.smtp.SmtpServerConfig;

/** The settings of the SMTP sessions, their defaults {@link SmtpServerConfig#DEFAULT}'s. */
final class SmtpSettings {

    private static final SmtpServerConfig DEFAULT = SmtpServerConfig.DEFAULT;

    static final SettingTable<SmtpServerConfig.Builder> TABLE = SettingTable.<SmtpServerConfig.Builder>of()
            .row(
                    Setting.text("GATEWAY_HOSTNAME", DEFAULT.hostname(), "Name in the greeting and EHLO reply"),
                    SmtpServerConfig.Builder::hostname)
            .row(
                    Setting.size(
                            "GATEWAY_MAX_MESSAGE_SIZE",
                            DEFAULT.maxMessageSize(),
                            "Octets per message, advertised in SIZE"),
                    SmtpServerConfig.Builder::maxMessageSize)
            .row(
                    Setting.integer("GATEWAY_MAX_RECIPIENTS", DEFAULT.maxRecipients(), 1, "Recipients per message"),
                    SmtpServerConfig.Builder::maxRecipients)
            .row(
                    Setting.integer(
                            "GATEWAY_MAX_LINE_LENGTH",
                            DEFAULT.maxCommandLineLength(),
                            512,
                            "Octets per command line, CRLF included"),
                    SmtpServerConfig.Builder::maxCommandLineLength)
            .row(
                    Setting.integer(
                            "GATEWAY_MAX_ERRORS", DEFAULT.maxErrors(), 1, "Bad commands per session before 421"),
                    SmtpServerConfig.Builder::maxErrors)
            .row(
                    Setting.integer(
                            "GATEWAY_MAX_AUTH_FAILURES",
                            DEFAULT.maxAuthFailures(),
                            1,
                            "Failed AUTH attempts per session before 421"),
                    SmtpServerConfig.Builder::maxAuthFailures)
            .row(
                    Setting.duration(
                            "GATEWAY_IDLE_TIMEOUT", DEFAULT.idleTimeout(), "Silence from the client before 421 4.4.2"),
                    SmtpServerConfig.Builder::idleTimeout)
            .row(
                    Setting.duration(
                            "GATEWAY_SESSION_TIMEOUT",
                            DEFAULT.sessionTimeout(),
                            "Whole-session deadline before 421 4.4.2"),
                    SmtpServerConfig.Builder::sessionTimeout)
            .row(
                    Setting.duration(
                            "GATEWAY_WRITE_TIMEOUT",
                            DEFAULT.writeTimeout(),
                            "Replies left unread this long (or a closing session's last reply) close the connection"),
                    SmtpServerConfig.Builder::writeTimeout)
            .row(
                    Setting.choice(
                            "GATEWAY_BARE_LINE_ENDINGS",
                            DEFAULT.bareLineEndingPolicy(),
                            BareLineEndingPolicy.class,
                            "Bare CR or LF in DATA: normalize or reject"),
                    SmtpServerConfig.Builder::bareLineEndingPolicy);

    private SmtpSettings() {}
}
