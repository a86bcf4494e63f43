package io.cakemail.gateway.core.api;

import java.security.Principal;
import java.text.Normalizer;
import java.util.Locale;

/**
 * A Cakemail login that passed {@code POST /token}, for one SMTP session. It keeps the password in memory for the
 * life of the session, so an expired token can be replaced by a new password grant; it is never written anywhere.
 * It names its session, so the API client's log lines for its calls carry the session's id.
 *
 * <p>Its name is the login {@linkplain #normalize normalised}: one identity however the client wrote it, for the token
 * cache, the per-login limits and the log lines alike.
 */
public final class ApiPrincipal implements Principal {

    private final String session;
    private final String username;
    private final String password;
    private final String credentialKey;
    /** The token this session last used: looked at before the shared cache, which it saves a lookup per call. */
    private volatile TokenService.TokenState token;

    ApiPrincipal(String session, String username, String password, String credentialKey) {
        this.session = session;
        this.username = username;
        this.password = password;
        this.credentialKey = credentialKey;
    }

    /**
     * A login as the gateway knows it: a Cakemail login is an email address, matched without regard to case, so the
     * login is trimmed, put in Unicode normal form C and lower-cased.
     */
    public static String normalize(String login) {
        return Normalizer.normalize(login.strip(), Normalizer.Form.NFC).toLowerCase(Locale.ROOT);
    }

    @Override
    public String getName() {
        return username;
    }

    /** The id of the SMTP session that logged in. */
    public String session() {
        return session;
    }

    String password() {
        return password;
    }

    TokenService.TokenState token() {
        return token;
    }

    void token(TokenService.TokenState token) {
        this.token = token;
    }

    /** The keyed hash of the credentials: the token cache's key. */
    String credentialKey() {
        return credentialKey;
    }

    @Override
    public String toString() {
        return "ApiPrincipal[" + username + "]";
    }
}
