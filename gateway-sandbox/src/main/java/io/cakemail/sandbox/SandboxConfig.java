package io.cakemail.sandbox;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The accounts, senders and lists the sandbox knows, and how long its tokens live.
 *
 * @param accounts the accounts that can log in
 * @param tokenLifetime the {@code expires_in} of access tokens
 * @param inboxCapacity how many accepted emails the inbox keeps (the oldest go first)
 * @param sendersPerPage the most senders a page of {@code GET /brands/default/senders} holds, whatever
 *                       {@code per_page} asks: a server may cap it lower without saying so
 */
public record SandboxConfig(List<Account> accounts, Duration tokenLifetime, int inboxCapacity, int sendersPerPage) {

    /** The login every README example uses. */
    public static final String DEFAULT_USERNAME = "sandbox@example.com";

    public static final String DEFAULT_PASSWORD = "sandbox";

    public SandboxConfig {
        accounts = List.copyOf(accounts);
        requireNonNull(tokenLifetime, "tokenLifetime");
        if (inboxCapacity < 1) {
            throw new IllegalArgumentException("inboxCapacity: " + inboxCapacity + " (expected: > 0)");
        }
        if (sendersPerPage < 1) {
            throw new IllegalArgumentException("sendersPerPage: " + sendersPerPage + " (expected: > 0)");
        }
    }

    /** With pages of senders as large as {@code per_page} asks, up to 100. */
    public SandboxConfig(List<Account> accounts, Duration tokenLifetime, int inboxCapacity) {
        this(accounts, tokenLifetime, inboxCapacity, 100);
    }

    /**
     * One ready account, {@value #DEFAULT_USERNAME} / {@value #DEFAULT_PASSWORD} (id 1001, sub-account 1003), with
     * confirmed senders {@code sandbox@example.com} and {@code noreply@example.com}, an unconfirmed
     * {@code pending@example.com}, and lists 1 and 2; and {@code mfa@example.com} / {@code sandbox}, an account with
     * multi-factor authentication, which the token endpoint answers with a challenge.
     */
    public static SandboxConfig defaults() {
        return new SandboxConfig(
                List.of(
                        new Account(
                                1001,
                                DEFAULT_USERNAME,
                                DEFAULT_PASSWORD,
                                false,
                                List.of(
                                        new Sender("snd-sandbox", "Sandbox", "sandbox@example.com", true),
                                        new Sender("snd-noreply", "No Reply", "noreply@example.com", true),
                                        new Sender("snd-pending", "Pending", "pending@example.com", false)),
                                List.of(1L, 2L),
                                List.of(1003L)),
                        new Account(1002, "mfa@example.com", DEFAULT_PASSWORD, true, List.of(), List.of(), List.of())),
                Duration.ofDays(5),
                1000);
    }

    /** Reads a configuration written as JSON in the shape of this record ({@code token_lifetime_seconds}). */
    public static SandboxConfig read(Path json) throws IOException {
        JsonForm file = new ObjectMapper()
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .readValue(json.toFile(), JsonForm.class);
        return new SandboxConfig(
                file.accounts, Duration.ofSeconds(file.tokenLifetimeSeconds), file.inboxCapacity, file.sendersPerPage);
    }

    /** A copy whose tokens live {@code lifetime}. */
    public SandboxConfig withTokenLifetime(Duration lifetime) {
        return new SandboxConfig(accounts, lifetime, inboxCapacity, sendersPerPage);
    }

    /** A copy whose pages of senders hold at most {@code senders}, whatever {@code per_page} asks. */
    public SandboxConfig withSendersPerPage(int senders) {
        return new SandboxConfig(accounts, tokenLifetime, inboxCapacity, senders);
    }

    /** The account that logs in with {@code username}, or {@code null}. */
    Account account(String username) {
        return accounts.stream()
                .filter(a -> a.username().equalsIgnoreCase(username))
                .findFirst()
                .orElse(null);
    }

    /**
     * An account.
     *
     * @param id its account id
     * @param mfa whether logging in needs a second factor
     * @param subAccounts the other account ids it may act for with {@code account_id}
     */
    public record Account(
            long id,
            String username,
            String password,
            boolean mfa,
            List<Sender> senders,
            List<Long> lists,
            @JsonProperty("sub_accounts") List<Long> subAccounts) {
        public Account {
            senders = senders == null ? List.of() : List.copyOf(senders);
            lists = lists == null ? List.of() : List.copyOf(lists);
            subAccounts = subAccounts == null ? List.of() : List.copyOf(subAccounts);
        }

        boolean actsFor(long accountId) {
            return accountId == id || subAccounts.contains(accountId);
        }
    }

    /** A sender of an account; only a confirmed one can send. */
    public record Sender(String id, String name, String email, boolean confirmed) {}

    /** The JSON form. */
    private static final class JsonForm {
        @JsonProperty
        List<Account> accounts = List.of();

        @JsonProperty("token_lifetime_seconds")
        long tokenLifetimeSeconds = Duration.ofDays(5).toSeconds();

        @JsonProperty("inbox_capacity")
        int inboxCapacity = 1000;

        @JsonProperty("senders_per_page")
        int sendersPerPage = 100;
    }
}
