package io.cakemail.gateway.smtp;

/**
 * The fixed replies of the SMTP session, one constant per situation, so each refusal is written once.
 */
public final class SmtpReplies {

    public static final SmtpReply OK = SmtpReply.of(250, "2.0.0", "OK");
    public static final SmtpReply RESET = SmtpReply.of(250, "2.0.0", "Reset state");
    public static final SmtpReply SENDER_OK = SmtpReply.of(250, "2.1.0", "Sender OK");
    public static final SmtpReply RECIPIENT_OK = SmtpReply.of(250, "2.1.5", "Recipient OK");
    public static final SmtpReply RECIPIENT_REPEATED =
            SmtpReply.of(250, "2.1.5", "Recipient OK, already given: it gets the message once");
    public static final SmtpReply VRFY =
            SmtpReply.of(252, "2.5.0", "Cannot VRFY user, but will accept message and attempt delivery");
    public static final SmtpReply HELP = SmtpReply.multiline(
            214,
            "2.0.0",
            java.util.List.of(
                    "Commands: EHLO HELO STARTTLS AUTH MAIL RCPT DATA BDAT RSET NOOP VRFY HELP QUIT",
                    "This gateway relays authenticated mail to the Cakemail Email API"));
    public static final SmtpReply START_MAIL_INPUT =
            SmtpReply.withoutStatus(354, "Start mail input; end with <CRLF>.<CRLF>");
    public static final SmtpReply READY_FOR_TLS = SmtpReply.of(220, "2.0.0", "Ready to start TLS");
    public static final SmtpReply AUTH_SUCCEEDED = SmtpReply.of(235, "2.7.0", "Authentication succeeded");
    public static final SmtpReply BYE = SmtpReply.of(221, "2.0.0", "Bye");

    public static final SmtpReply AUTH_TEMPORARY_FAILURE =
            SmtpReply.of(454, "4.7.0", "Temporary authentication failure, try again later");
    public static final SmtpReply TOO_MANY_RECIPIENTS = SmtpReply.of(452, "4.5.3", "Too many recipients");
    public static final SmtpReply DELIVERY_FAILED_TEMPORARILY =
            SmtpReply.of(451, "4.3.0", "Temporary failure while handing over the message, try again later");
    public static final SmtpReply IDLE_TIMEOUT = SmtpReply.of(421, "4.4.2", "Idle timeout, closing connection");
    public static final SmtpReply SESSION_TIMEOUT =
            SmtpReply.of(421, "4.4.2", "Session time limit exceeded, closing connection");
    public static final SmtpReply TOO_MANY_ERRORS = SmtpReply.of(421, "4.7.0", "Too many errors, closing connection");
    public static final SmtpReply TOO_MANY_AUTH_FAILURES =
            SmtpReply.of(421, "4.7.0", "Too many authentication failures, closing connection");
    public static final SmtpReply TOO_MANY_CONNECTIONS =
            SmtpReply.of(421, "4.7.0", "Too many connections, try again later");
    public static final SmtpReply SHUTTING_DOWN = SmtpReply.of(421, "4.3.2", "Service shutting down, try again later");

    public static final SmtpReply COMMAND_UNRECOGNIZED = SmtpReply.of(500, "5.5.2", "Command unrecognized");
    public static final SmtpReply NOT_IMPLEMENTED = SmtpReply.of(502, "5.5.1", "Command not implemented");
    public static final SmtpReply SEND_HELLO_FIRST = SmtpReply.of(503, "5.5.1", "Send EHLO or HELO first");
    public static final SmtpReply SEND_EHLO_FIRST = SmtpReply.of(503, "5.5.1", "Send EHLO first");
    public static final SmtpReply NEED_MAIL = SmtpReply.of(503, "5.5.1", "Send MAIL first");
    public static final SmtpReply NESTED_MAIL = SmtpReply.of(503, "5.5.1", "Sender already specified");
    public static final SmtpReply NO_VALID_RECIPIENTS = SmtpReply.of(554, "5.5.1", "No valid recipients");
    public static final SmtpReply DATA_AFTER_BDAT = SmtpReply.of(503, "5.5.1", "DATA cannot follow BDAT");
    public static final SmtpReply ALREADY_AUTHENTICATED = SmtpReply.of(503, "5.5.1", "Already authenticated");
    public static final SmtpReply AUTH_IN_TRANSACTION =
            SmtpReply.of(503, "5.5.1", "AUTH not permitted during a mail transaction");
    public static final SmtpReply TLS_ALREADY_ACTIVE = SmtpReply.of(503, "5.5.1", "TLS already active");
    public static final SmtpReply HELLO_SYNTAX = SmtpReply.of(501, "5.5.4", "Syntax: EHLO hostname");
    public static final SmtpReply NO_ARGUMENTS = SmtpReply.of(501, "5.5.4", "No parameters allowed");
    public static final SmtpReply AUTH_SYNTAX = SmtpReply.of(501, "5.5.4", "Syntax: AUTH mechanism [initial-response]");
    public static final SmtpReply MAIL_SYNTAX = SmtpReply.of(501, "5.5.4", "Syntax: MAIL FROM:<address> [parameters]");
    public static final SmtpReply RCPT_SYNTAX = SmtpReply.of(501, "5.5.4", "Syntax: RCPT TO:<address> [parameters]");
    public static final SmtpReply BDAT_SYNTAX = SmtpReply.of(501, "5.5.4", "Syntax: BDAT size [LAST]");
    public static final SmtpReply BAD_SENDER = SmtpReply.of(501, "5.1.7", "Bad sender address syntax");
    public static final SmtpReply BAD_RECIPIENT = SmtpReply.of(501, "5.1.3", "Bad recipient address syntax");
    public static final SmtpReply UNUSABLE_SENDER = SmtpReply.of(
            553,
            "5.1.7",
            "Sender address holds what no mailbox can: invalid UTF-8, or an invisible, direction or"
                    + " lookalike character");
    public static final SmtpReply UNUSABLE_RECIPIENT = SmtpReply.of(
            553,
            "5.1.3",
            "Recipient address holds what no mailbox can: invalid UTF-8, or an invisible, direction or"
                    + " lookalike character");
    public static final SmtpReply NON_ASCII_ADDRESS =
            SmtpReply.of(553, "5.6.7", "Non-ASCII address requires the SMTPUTF8 parameter");
    public static final SmtpReply UNSUPPORTED_PARAMETER = SmtpReply.of(555, "5.5.4", "Unsupported parameter");
    public static final SmtpReply PARAMETER_WITHOUT_EHLO = SmtpReply.of(555, "5.5.4", "Parameters need EHLO, not HELO");
    public static final SmtpReply MESSAGE_TOO_BIG =
            SmtpReply.of(552, "5.3.4", "Message size exceeds fixed maximum message size");
    public static final SmtpReply BARE_LINE_ENDING =
            SmtpReply.of(550, "5.6.0", "Message contains a bare CR or LF; lines must end with CRLF");
    public static final SmtpReply UNKNOWN_MECHANISM =
            SmtpReply.of(504, "5.5.4", "Unrecognized authentication mechanism; use PLAIN or LOGIN");
    public static final SmtpReply SASL_BAD_BASE64 = SmtpReply.of(501, "5.5.2", "Cannot decode base64 response");
    public static final SmtpReply SASL_MALFORMED = SmtpReply.of(501, "5.5.2", "Malformed authentication response");
    public static final SmtpReply SASL_CANCELLED = SmtpReply.of(501, "5.7.0", "Authentication cancelled");
    public static final SmtpReply AUTHZID_MISMATCH =
            SmtpReply.of(535, "5.7.8", "Authorization identity must be empty or match the username");
    public static final SmtpReply AUTH_FAILED = SmtpReply.of(535, "5.7.8", "Authentication credentials invalid");
    public static final SmtpReply AUTH_REQUIRED = SmtpReply.of(530, "5.7.0", "Authentication required");
    public static final SmtpReply ENCRYPTION_REQUIRED =
            SmtpReply.of(538, "5.7.11", "Encryption required for requested authentication mechanism");

    private SmtpReplies() {}

    /** {@code 500 5.5.2} with the decoder's reason (line too long, bare CR or LF, NUL). */
    public static SmtpReply badLine(String reason) {
        return SmtpReply.of(500, "5.5.2", reason);
    }

    /** The reply to one non-last BDAT chunk. */
    public static SmtpReply chunkReceived(long size) {
        return SmtpReply.of(250, "2.0.0", size + " octets received");
    }

    /** The 334 continuation carrying a base64 challenge. */
    public static SmtpReply challenge(String base64) {
        return SmtpReply.withoutStatus(334, base64);
    }
}
