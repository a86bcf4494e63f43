package io.cakemail.gateway.core.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What carries a password or a token never shows it in its text, which is what a log line would print. */
class SecretsTest {

    @Test
    void tokensAndPrincipalsHideTheirSecrets() {
        assertThat(new TokenService.TokenState("access-123", "refresh-456", 1, 2).toString())
                .doesNotContain("access-123", "refresh-456");
        assertThat(new ApiPrincipal("test", "sandbox@example.com", "s3cret", "key").toString())
                .contains("sandbox@example.com")
                .doesNotContain("s3cret", "key");
    }
}
