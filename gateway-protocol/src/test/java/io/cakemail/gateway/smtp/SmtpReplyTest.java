package io.cakemail.gateway.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SmtpReplyTest {

    @ParameterizedTest
    @ValueSource(strings = {"5.0.0", "5.7.1", "5.123.999", "5.10.2"})
    void wellFormedEnhancedStatusCodesAreEncoded(String status) {
        SmtpReply reply = SmtpReply.of(550, status, "no\r\ninjection");
        assertThat(new String(reply.encoded(), StandardCharsets.UTF_8))
                .isEqualTo("550 " + status + " no  injection\r\n");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {"5.0", "5.0.0.0", "6.0.0", "4.0.0", "5.a.0", "5.1234.0", "5..0", "5.0.", "5,0,0", "", "50.0.0"})
    void malformedOrMismatchedEnhancedStatusCodesAreRejected(String status) {
        assertThatThrownBy(() -> SmtpReply.of(550, status, "text")).isInstanceOf(IllegalArgumentException.class);
    }
}
