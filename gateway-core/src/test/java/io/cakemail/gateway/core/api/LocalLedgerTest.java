package io.cakemail.gateway.core.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The local no-resend ledger: per message, forgetting, and no work for a message while it is empty. */
class LocalLedgerTest {

    private final LocalLedger ledger =
            new LocalLedger(ApiConfig.builder(URI.create("http://127.0.0.1:1")).build());

    @Test
    void anEmptyLedgerNeverWorksOutTheMessagesIdentity() {
        assertThat(ledger.accepted(
                                () -> {
                                    throw new AssertionError("the identity hashes the whole message: not for nothing");
                                },
                                List.of("a@example.net"))
                        .block())
                .isEmpty();
    }

    @Test
    void remembersPerMessageUntilForgotten() {
        ledger.remember("m1", Map.of("a@example.net", "email-1"), Map.of()).block();
        assertThat(ledger.accepted(() -> "m1", List.of("a@example.net", "b@example.net"))
                        .block())
                .containsExactly(Map.entry("a@example.net", "email-1"));
        assertThat(ledger.accepted(() -> "m2", List.of("a@example.net")).block())
                .isEmpty();
        ledger.forget("m1", List.of("a@example.net")).block();
        assertThat(ledger.accepted(() -> "m1", List.of("a@example.net")).block())
                .isEmpty();
    }
}
