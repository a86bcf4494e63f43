package io.cakemail.gateway.smtp;

/**
 * The ESMTP parameters of MAIL FROM that the server accepted.
 *
 * @param declaredSize the {@code SIZE=} value, or {@code -1} when absent
 * @param body the {@code BODY=} value, {@code 7BIT} when absent
 * @param smtpUtf8 whether {@code SMTPUTF8} was given
 * @param authorizedSender the decoded {@code AUTH=} mailbox, or {@code null} when absent or {@code <>}
 */
public record MailParameters(long declaredSize, BodyType body, boolean smtpUtf8, String authorizedSender) {

    /** No parameters at all. */
    public static final MailParameters NONE = new MailParameters(-1, BodyType.SEVEN_BIT, false, null);

    /** The values of {@code BODY=} (RFC 6152). */
    public enum BodyType {
        SEVEN_BIT,
        EIGHT_BIT_MIME
    }
}
