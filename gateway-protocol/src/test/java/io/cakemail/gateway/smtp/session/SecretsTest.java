package io.cakemail.gateway.smtp.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.cakemail.gateway.smtp.codec.DefaultSmtpRequest;
import io.cakemail.gateway.smtp.codec.SaslResponse;
import io.cakemail.gateway.smtp.codec.SmtpCommand;
import org.junit.jupiter.api.Test;

/** What carries credentials never shows them in its text, which is what a log line would print. */
class SecretsTest {

    private static final String PLAIN = "AHNhbmRib3hAZXhhbXBsZS5jb20Ac2FuZGJveA=="; // \0sandbox@example.com\0sandbox

    @Test
    void anAuthLineWithAnInitialResponseHidesIt() {
        assertThat(new DefaultSmtpRequest(SmtpCommand.AUTH, "PLAIN " + PLAIN)).hasToString("AUTH PLAIN ***");
        assertThat(new DefaultSmtpRequest(SmtpCommand.AUTH, "LOGIN")).hasToString("AUTH LOGIN");
        assertThat(new DefaultSmtpRequest(SmtpCommand.MAIL, "FROM:<a@example.com>"))
                .hasToString("MAIL FROM:<a@example.com>");
    }

    @Test
    void saslResponsesAndCredentialsHideThePassword() {
        assertThat(new SaslResponse(PLAIN).toString()).doesNotContain(PLAIN);
        assertThat(new SaslStep.Credentials("sandbox@example.com", "s3cret").toString())
                .contains("sandbox@example.com")
                .doesNotContain("s3cret");
    }
}
