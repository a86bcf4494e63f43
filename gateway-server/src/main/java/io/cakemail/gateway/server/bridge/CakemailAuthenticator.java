package io.cakemail.gateway.server.bridge;

import io.cakemail.gateway.core.api.AuthenticationException;
import io.cakemail.gateway.core.api.CakemailClient;
import io.cakemail.gateway.smtp.AuthResult;
import io.cakemail.gateway.smtp.SmtpAuthenticator;
import java.util.concurrent.CompletionStage;
import reactor.core.publisher.Mono;

/**
 * SMTP AUTH through {@code POST /token}: the SMTP username and password are the Cakemail login. Wrong credentials
 * and MFA accounts get the same {@code 535 5.7.8} (the MFA case is named in the failure's log line, for the
 * operator); an API that cannot answer, {@code 454 4.7.0}.
 */
public final class CakemailAuthenticator implements SmtpAuthenticator {

    private final CakemailClient client;

    public CakemailAuthenticator(CakemailClient client) {
        this.client = client;
    }

    @Override
    public CompletionStage<AuthResult> authenticate(String session, String username, String password) {
        return client.login(session, username, password)
                .map(AuthResult::success)
                .onErrorResume(
                        AuthenticationException.class,
                        e -> Mono.just(
                                switch (e.kind()) {
                                    case BAD_CREDENTIALS -> AuthResult.rejected();
                                    case MFA_REQUIRED -> AuthResult.rejected(e.getMessage());
                                    case UNAVAILABLE ->
                                        AuthResult.temporaryFailure(
                                                "Cakemail API unavailable for authentication, try again later");
                                }))
                .toFuture();
    }
}
