package io.cakemail.gateway.testing;

import io.cakemail.gateway.smtp.AuthResult;
import io.cakemail.gateway.smtp.SmtpAuthenticator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * Accepts {@value #USERNAME} / {@value #PASSWORD} and {@value #ASCII_USERNAME} / {@value #ASCII_PASSWORD}; {@value #UNAVAILABLE_USER} gets a temporary failure; anything
 * else is rejected. Answers complete on {@code executor}, so tests choose between synchronous and asynchronous
 * completion.
 */
public final class TestAuthenticator implements SmtpAuthenticator {

    public static final String USERNAME = "user@example.com";
    public static final String PASSWORD = "s3cret pässword";
    /** For clients that cannot send UTF-8 credentials (Python's smtplib). */
    public static final String ASCII_USERNAME = "ascii@example.com";

    public static final String ASCII_PASSWORD = "ascii-secret";
    public static final String UNAVAILABLE_USER = "unavailable@example.com";

    private final Executor executor;

    public TestAuthenticator(Executor executor) {
        this.executor = executor;
    }

    /** Answers on the calling thread, before {@code authenticate} returns. */
    public static TestAuthenticator immediate() {
        return new TestAuthenticator(Runnable::run);
    }

    @Override
    public CompletionStage<AuthResult> authenticate(String session, String username, String password) {
        return CompletableFuture.supplyAsync(
                () -> {
                    if (USERNAME.equals(username) && PASSWORD.equals(password)
                            || ASCII_USERNAME.equals(username) && ASCII_PASSWORD.equals(password)) {
                        return AuthResult.success(() -> username);
                    }
                    if (UNAVAILABLE_USER.equals(username)) {
                        return AuthResult.temporaryFailure("Authentication service unavailable, try again later");
                    }
                    return AuthResult.rejected();
                },
                executor);
    }
}
