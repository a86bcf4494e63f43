package io.cakemail.gateway.smtp;

import static java.util.Objects.requireNonNull;

/**
 * What SMTP sessions use without configuring it: who checks credentials, who takes messages, where the operator's
 * metrics go, and the limits on each client across its sessions.
 */
public record SmtpServices(
        SmtpAuthenticator authenticator, MessageReceiver receiver, SmtpMetricsRecorder metrics, ClientPolicy policy) {

    public SmtpServices {
        requireNonNull(authenticator, "authenticator");
        requireNonNull(receiver, "receiver");
        requireNonNull(metrics, "metrics");
        requireNonNull(policy, "policy");
    }

    /** {@code authenticator} and {@code receiver}, no metrics, no limits. */
    public static SmtpServices of(SmtpAuthenticator authenticator, MessageReceiver receiver) {
        return new SmtpServices(authenticator, receiver, SmtpMetricsRecorder.NONE, ClientPolicy.NONE);
    }

    public SmtpServices withMetrics(SmtpMetricsRecorder other) {
        return new SmtpServices(authenticator, receiver, other, policy);
    }

    public SmtpServices withPolicy(ClientPolicy other) {
        return new SmtpServices(authenticator, receiver, metrics, other);
    }
}
