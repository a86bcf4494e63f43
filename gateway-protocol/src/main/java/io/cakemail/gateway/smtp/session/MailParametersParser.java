package io.cakemail.gateway.smtp.session;

import io.cakemail.gateway.smtp.MailParameters;
import io.cakemail.gateway.smtp.SmtpReplies;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Validates the ESMTP parameters of MAIL FROM against the extensions the server advertises.
 */
final class MailParametersParser {

    private static final int MAX_SIZE_DIGITS = 18;

    private MailParametersParser() {}

    /**
     * @throws SmtpReplyException with the reply for the first unacceptable parameter
     */
    static MailParameters parse(List<PathArgument.Parameter> parameters, boolean extended, long maxMessageSize) {
        if (parameters.isEmpty()) {
            return MailParameters.NONE;
        }
        if (!extended) {
            throw new SmtpReplyException(SmtpReplies.PARAMETER_WITHOUT_EHLO);
        }
        long size = -1;
        MailParameters.BodyType body = MailParameters.BodyType.SEVEN_BIT;
        boolean smtpUtf8 = false;
        String authorizedSender = null;
        Set<String> seen = new HashSet<>();
        for (PathArgument.Parameter parameter : parameters) {
            if (!seen.add(parameter.keyword())) {
                throw new SmtpReplyException(SmtpReplies.MAIL_SYNTAX);
            }
            String value = parameter.value();
            switch (parameter.keyword()) {
                case "SIZE" -> {
                    size = size(value);
                    if (size > maxMessageSize) {
                        throw new SmtpReplyException(SmtpReplies.MESSAGE_TOO_BIG);
                    }
                }
                case "BODY" -> body = body(value);
                case "SMTPUTF8" -> {
                    if (value != null) {
                        throw new SmtpReplyException(SmtpReplies.MAIL_SYNTAX);
                    }
                    smtpUtf8 = true;
                }
                case "AUTH" -> authorizedSender = authorizedSender(value);
                default -> throw new SmtpReplyException(SmtpReplies.UNSUPPORTED_PARAMETER);
            }
        }
        return new MailParameters(size, body, smtpUtf8, authorizedSender);
    }

    private static long size(String value) {
        if (value == null
                || value.isEmpty()
                || value.length() > MAX_SIZE_DIGITS
                || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new SmtpReplyException(SmtpReplies.MAIL_SYNTAX);
        }
        return Long.parseLong(value);
    }

    private static MailParameters.BodyType body(String value) {
        if ("7BIT".equalsIgnoreCase(value)) {
            return MailParameters.BodyType.SEVEN_BIT;
        }
        if ("8BITMIME".equalsIgnoreCase(value)) {
            return MailParameters.BodyType.EIGHT_BIT_MIME;
        }
        throw new SmtpReplyException(SmtpReplies.UNSUPPORTED_PARAMETER);
    }

    /** RFC 4954 5: {@code AUTH=<>} or an xtext-encoded mailbox. */
    private static String authorizedSender(String value) {
        if (value == null || value.isEmpty()) {
            throw new SmtpReplyException(SmtpReplies.MAIL_SYNTAX);
        }
        if (value.equals("<>")) {
            return null;
        }
        StringBuilder decoded = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '+') {
                if (i + 2 >= value.length()) {
                    throw new SmtpReplyException(SmtpReplies.MAIL_SYNTAX);
                }
                int hex = hexValue(value.charAt(i + 1)) << 4 | hexValue(value.charAt(i + 2));
                decoded.append((char) hex);
                i += 2;
            } else if (c < '!' || c > '~' || c == '=') {
                throw new SmtpReplyException(SmtpReplies.MAIL_SYNTAX);
            } else {
                decoded.append(c);
            }
        }
        return decoded.toString();
    }

    private static int hexValue(char c) {
        int digit = Character.digit(c, 16);
        if (digit < 0 || Character.isLowerCase(c)) {
            throw new SmtpReplyException(SmtpReplies.MAIL_SYNTAX);
        }
        return digit;
    }
}
