package io.cakemail.gateway.smtp.session;

import io.cakemail.gateway.smtp.SmtpReply;

/**
 * What a SASL exchange wants after a client response.
 */
sealed interface SaslStep {

    /** Send {@code 334 <challenge>} and wait for another response. */
    record Challenge(String base64) implements SaslStep {}

    /** The exchange is complete: check these credentials. */
    record Credentials(String username, String password) implements SaslStep {
        @Override
        public String toString() {
            return "Credentials[username=" + username + ", password=***]";
        }
    }

    /** The response breaks the mechanism's rules: end the exchange with this reply. */
    record Failed(SmtpReply reply) implements SaslStep {}
}
