package io.cakemail.gateway.smtp.session;

import io.cakemail.gateway.smtp.SmtpReplies;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A server-side SASL exchange for one AUTH command: PLAIN (RFC 4616) or LOGIN. Instances are single-use.
 */
sealed interface SaslExchange {

    /** The mechanisms offered in EHLO, in order. */
    String MECHANISMS = "PLAIN LOGIN";

    /** The exchange for {@code mechanism} (any case), or {@code null} if it is not supported. */
    static SaslExchange start(String mechanism) {
        return switch (mechanism.toUpperCase(Locale.ROOT)) {
            case "PLAIN" -> new Plain();
            case "LOGIN" -> new Login();
            default -> null;
        };
    }

    /** The challenge to send when AUTH came without an initial response. */
    String firstChallenge();

    /** The next step after a decoded client response. */
    SaslStep respond(byte[] response);

    /** {@code [authzid] NUL authcid NUL passwd}. */
    final class Plain implements SaslExchange {

        @Override
        public String firstChallenge() {
            return "";
        }

        @Override
        public SaslStep respond(byte[] response) {
            int first = indexOfNul(response, 0);
            int second = first < 0 ? -1 : indexOfNul(response, first + 1);
            if (second < 0 || indexOfNul(response, second + 1) >= 0) {
                return new SaslStep.Failed(SmtpReplies.SASL_MALFORMED);
            }
            String authzid = utf8(response, 0, first);
            String username = utf8(response, first + 1, second);
            String password = utf8(response, second + 1, response.length);
            if (!authzid.isEmpty() && !authzid.equals(username)) {
                return new SaslStep.Failed(SmtpReplies.AUTHZID_MISMATCH);
            }
            return new SaslStep.Credentials(username, password);
        }

        private static int indexOfNul(byte[] bytes, int from) {
            for (int i = from; i < bytes.length; i++) {
                if (bytes[i] == 0) {
                    return i;
                }
            }
            return -1;
        }
    }

    /** The LOGIN mechanism: the username, then the password, each in answer to a challenge. */
    final class Login implements SaslExchange {

        private static final String USERNAME_CHALLENGE = "VXNlcm5hbWU6";
        private static final String PASSWORD_CHALLENGE = "UGFzc3dvcmQ6";

        private String username;

        @Override
        public String firstChallenge() {
            return USERNAME_CHALLENGE;
        }

        @Override
        public SaslStep respond(byte[] response) {
            if (username == null) {
                username = utf8(response, 0, response.length);
                return new SaslStep.Challenge(PASSWORD_CHALLENGE);
            }
            return new SaslStep.Credentials(username, utf8(response, 0, response.length));
        }
    }

    private static String utf8(byte[] bytes, int from, int to) {
        return new String(bytes, from, to - from, StandardCharsets.UTF_8);
    }
}
