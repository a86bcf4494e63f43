package io.cakemail.gateway.core.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.cakemail.gateway.core.http.ApiHttp;
import io.cakemail.gateway.core.http.ApiMetricsRecorder;
import io.cakemail.gateway.core.transform.MessageTransformer;
import io.cakemail.gateway.core.transform.ParsedMessage;
import io.cakemail.gateway.core.transform.TransformConfig;
import io.cakemail.gateway.core.transform.TransformResult;
import io.cakemail.gateway.testkit.Await;
import io.cakemail.sandbox.CakemailSandbox;
import io.cakemail.sandbox.Fault;
import io.cakemail.sandbox.SandboxConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.EventExecutor;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The API client against the sandbox over h2c: logins, sender lookup, fan-out, retries, the circuit breaker and
 * the accepted-recipient memory.
 */
class CakemailClientTest {

    private static final String USER = SandboxConfig.DEFAULT_USERNAME;
    private static final String PASSWORD = SandboxConfig.DEFAULT_PASSWORD;

    private CakemailSandbox sandbox;
    private CakemailClient client;

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        if (sandbox != null) {
            sandbox.close();
        }
    }

    @Test
    void loginsShareOneCallAndAreCached() throws Exception {
        start(UnaryOperator.identity());
        List<ApiPrincipal> principals = Flux.range(0, 20)
                .flatMap(i -> client.login("test", USER, PASSWORD))
                .collectList()
                .block(Duration.ofSeconds(10));
        assertThat(principals)
                .hasSize(20)
                .allSatisfy(p -> assertThat(p.getName()).isEqualTo(USER));
        assertThat(client.login("test", USER, PASSWORD).block(Duration.ofSeconds(10)))
                .isNotNull();
        assertThat(sandbox.calls("POST /token")).isEqualTo(1);
        assertThat(principals.get(0)).hasToString("ApiPrincipal[" + USER + "]");
    }

    @Test
    void wrongCredentialsAreRememberedBriefly() throws Exception {
        start(UnaryOperator.identity());
        for (int i = 0; i < 3; i++) {
            assertThatThrownBy(() -> client.login("test", USER, "wrong").block(Duration.ofSeconds(10)))
                    .isInstanceOfSatisfying(
                            AuthenticationException.class,
                            e -> assertThat(e.kind()).isEqualTo(AuthenticationException.Kind.BAD_CREDENTIALS));
        }
        assertThat(sandbox.calls("POST /token")).isEqualTo(1);
    }

    @Test
    void mfaAndOutagesAreTheirOwnFailures() throws Exception {
        start(UnaryOperator.identity());
        assertThatThrownBy(
                        () -> client.login("test", "mfa@example.com", PASSWORD).block(Duration.ofSeconds(10)))
                .isInstanceOfSatisfying(
                        AuthenticationException.class,
                        e -> assertThat(e.kind()).isEqualTo(AuthenticationException.Kind.MFA_REQUIRED));
        sandbox.faults().add(Fault.status("/token", 503).times(1));
        assertThatThrownBy(() -> client.login("test", USER, PASSWORD).block(Duration.ofSeconds(10)))
                .isInstanceOfSatisfying(
                        AuthenticationException.class,
                        e -> assertThat(e.kind()).isEqualTo(AuthenticationException.Kind.UNAVAILABLE));
        assertThat(client.login("test", USER, PASSWORD).block(Duration.ofSeconds(10)))
                .isNotNull();
    }

    @Test
    void tokensAreRefreshedBeforeTheyRunOut() throws Exception {
        ManualTicker ticker = new ManualTicker();
        sandbox = CakemailSandbox.start(
                SandboxConfig.defaults().withTokenLifetime(Duration.ofSeconds(2)), "127.0.0.1", 0);
        ApiConfig config = ApiConfig.builder(sandbox.baseUri())
                .h2c(true)
                .tokenRefreshMargin(Duration.ofMillis(1500))
                .build();
        try (ApiHttp http = new ApiHttp(config, null)) {
            TokenService tokens = new TokenService(http, config, ticker);
            ApiPrincipal principal = tokens.login("test", USER, PASSWORD).block(Duration.ofSeconds(10));
            String first = tokens.accessToken(principal).block(Duration.ofSeconds(5));
            ticker.advance(Duration.ofMillis(1200));
            assertThat(tokens.accessToken(principal).block(Duration.ofSeconds(5)))
                    .as("still valid: answered at once while the refresh runs")
                    .isEqualTo(first);
            Await.value(
                    "the refresh, completed in the background",
                    Duration.ofSeconds(10),
                    () -> tokens.accessToken(principal).block(Duration.ofSeconds(5)),
                    renewed -> !renewed.equals(first));
            assertThat(sandbox.calls("POST /token"))
                    .as("one login, one refresh")
                    .isEqualTo(2);
        }
    }

    @Test
    void aSubmissionFansOutToEveryRecipient() throws Exception {
        start(UnaryOperator.identity());
        Delivery delivery = deliver(
                login(),
                List.of("a@example.net", "b@example.net", "c@example.net"),
                message("sandbox@example.com", "<fan-out@test>"));
        assertThat(outcomes(delivery)).allSatisfy(o -> assertThat(o).isInstanceOf(RecipientOutcome.Queued.class));
        assertThat(sandbox.inbox().emails())
                .extracting(e -> e.recipient())
                .containsExactlyInAnyOrder("a@example.net", "b@example.net", "c@example.net");
        JsonNode request = sandbox.inbox().emails().get(0).request();
        assertThat(request.at("/sender/id").asText()).isEqualTo("snd-sandbox");
        assertThat(request.at("/content/type").asText()).isEqualTo("transactional");
    }

    @Test
    void recipientsBeyondTheStreamLimitWaitForAStream() throws Exception {
        start(UnaryOperator.identity(), api -> api.maxConnections(1).maxConcurrentStreams(2));
        List<String> recipients = java.util.stream.IntStream.range(0, 40)
                .mapToObj(i -> "r" + i + "@example.net")
                .toList();
        Delivery delivery = deliver(login(), recipients, message("sandbox@example.com", "<many@test>"));
        assertThat(outcomes(delivery))
                .hasSize(40)
                .allSatisfy(o -> assertThat(o).isInstanceOf(RecipientOutcome.Queued.class));
        assertThat(sandbox.inbox().emails()).hasSize(40);
    }

    @Test
    void aCallerOnAnEventLoopIsAnsweredOnThatLoop() throws Exception {
        EventLoopGroup loops = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        try {
            sandbox = CakemailSandbox.start(SandboxConfig.defaults(), "127.0.0.1", 0);
            client = new CakemailClient(
                    ApiConfig.builder(sandbox.baseUri()).h2c(true).build(), ApiServices.DEFAULT, loops);
            ApiPrincipal principal = login();
            deliver(principal, List.of("first@example.net"), message("sandbox@example.com", null));
            for (EventExecutor loop : loops) {
                Thread loopThread = loop.submit(Thread::currentThread).get(10, TimeUnit.SECONDS);
                for (int i = 0; i < 3; i++) {
                    ParsedMessage message = message("sandbox@example.com", null);
                    Thread answeredOn = loop.submit(
                                    () -> client.deliver(principal, null, List.of("x@example.net"), message)
                                            .map(delivery -> Thread.currentThread())
                                            .toFuture())
                            .get(10, TimeUnit.SECONDS)
                            .get(10, TimeUnit.SECONDS);
                    assertThat(answeredOn).as("no change of thread").isSameAs(loopThread);
                }
            }
            assertThat(sandbox.inbox().emails()).hasSize(7);
        } finally {
            client.close();
            client = null;
            loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    @Test
    void aSlowAnswerOnALiveConnectionOutlastsItsPings() throws Exception {
        start(UnaryOperator.identity(), api -> api.pingAfterQuiet(Duration.ofMillis(100)));
        ApiPrincipal principal = login();
        sandbox.faults().add(Fault.latency("/v2/emails", 1000).times(1));
        assertThat(outcomes(deliver(
                        principal,
                        List.of("slow@example.net"),
                        message("sandbox@example.com", "<slow-but-alive@test>"))))
                .first()
                .isInstanceOf(RecipientOutcome.Queued.class);
        assertThat(sandbox.inbox().emails()).as("answered on the first try").hasSize(1);
    }

    @Test
    void anUnansweredCallGivesUpAtTheDeadlineAndFreesItsStream() throws Exception {
        start(
                UnaryOperator.identity(),
                api -> api.maxConnections(1).maxConcurrentStreams(1).messageDeadline(Duration.ofMillis(800)));
        ApiPrincipal principal = login();
        sandbox.faults().add(Fault.latency("/v2/emails", 5000).times(1));
        long start = System.nanoTime();
        assertThat(outcomes(
                        deliver(principal, List.of("slow@example.net"), message("sandbox@example.com", "<slow@test>"))))
                .first()
                .as("sent, and not answered in time: the API may have it")
                .isInstanceOf(RecipientOutcome.InDoubt.class);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
        assertThat(outcomes(
                        deliver(principal, List.of("next@example.net"), message("sandbox@example.com", "<next@test>"))))
                .first()
                .isInstanceOf(RecipientOutcome.Queued.class);
    }

    @Test
    void senderResolutionUsesFromThenEnvelopeAndRefusesUnconfirmed() throws Exception {
        start(UnaryOperator.identity());
        ApiPrincipal principal = login();
        assertThat(deliver(principal, List.of("a@example.net"), message("pending@example.com", null)))
                .isEqualTo(new Delivery.SenderNotConfirmed("pending@example.com", SenderDirectory.Status.UNCONFIRMED));
        assertThat(deliver(principal, List.of("a@example.net"), message("stranger@example.org", null)))
                .isEqualTo(new Delivery.SenderNotConfirmed("stranger@example.org", SenderDirectory.Status.UNKNOWN));
        Delivery viaEnvelope = client.deliver(
                        principal,
                        "noreply@example.com",
                        List.of("a@example.net"),
                        message("stranger@example.org", null))
                .block(Duration.ofSeconds(10));
        assertThat(outcomes(viaEnvelope).get(0)).isInstanceOf(RecipientOutcome.Queued.class);
        assertThat(sandbox.inbox().emails().get(0).request().at("/sender/id").asText())
                .isEqualTo("snd-noreply");
    }

    @Test
    void sendersArePagedUntilTheCountIsReached() throws Exception {
        List<SandboxConfig.Sender> many = new ArrayList<>();
        for (int i = 0; i < 250; i++) {
            many.add(new SandboxConfig.Sender("snd-" + i, "S" + i, "s" + i + "@example.com", true));
        }
        start(config -> new SandboxConfig(
                List.of(new SandboxConfig.Account(1001, USER, PASSWORD, false, many, List.of(1L), List.of())),
                config.tokenLifetime(),
                100));
        assertThat(outcomes(deliver(login(), List.of("a@example.net"), message("S249@EXAMPLE.com", null))))
                .first()
                .isInstanceOf(RecipientOutcome.Queued.class);
        assertThat(sandbox.calls("GET /brands/default/senders"))
                .as("the count reached on the third")
                .isEqualTo(3);
        assertThat(sandbox.inbox().emails().get(0).request().at("/sender/id").asText())
                .isEqualTo("snd-249");
    }

    /** The API documents no maximum for {@code per_page}; a server that serves fewer does not hide a sender. */
    @Test
    void aConfirmedSenderOnThePageAfterAShortOneIsFound() throws Exception {
        List<SandboxConfig.Sender> senders = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            senders.add(new SandboxConfig.Sender("snd-" + i, "S" + i, "s" + i + "@example.com", i == 5));
        }
        start(config -> new SandboxConfig(
                        List.of(new SandboxConfig.Account(
                                1001, USER, PASSWORD, false, senders, List.of(1L), List.of())),
                        config.tokenLifetime(),
                        100)
                .withSendersPerPage(2));
        assertThat(outcomes(deliver(login(), List.of("a@example.net"), message("s5@example.com", null))))
                .first()
                .isInstanceOf(RecipientOutcome.Queued.class);
        assertThat(sandbox.inbox().emails().get(0).request().at("/sender/id").asText())
                .isEqualTo("snd-5");
    }

    @Test
    void mixedOutcomesAreReportedPerRecipient() throws Exception {
        start(UnaryOperator.identity());
        sandbox.faults()
                .add(Fault.status("/v2/emails", 422)
                        .withBody(
                                "{\"detail\":[{\"loc\":[\"body\",\"email\"],\"msg\":\"value is not a valid email address\","
                                        + "\"type\":\"value_error.email\"}]}")
                        .forRecipients("^bad@"));
        sandbox.faults().add(Fault.emailStatus("rejected").forRecipients("^suppressed@"));
        List<RecipientOutcome> outcomes = outcomes(deliver(
                login(),
                List.of("good@example.net", "bad@example.net", "suppressed@example.net"),
                message("sandbox@example.com", null)));
        assertThat(outcomes.get(0)).isInstanceOf(RecipientOutcome.Queued.class);
        assertThat(outcomes.get(1))
                .isEqualTo(new RecipientOutcome.Refused(
                        "bad@example.net", 422, "email: value is not a valid email address"));
        assertThat(outcomes.get(2))
                .isEqualTo(new RecipientOutcome.Refused(
                        "suppressed@example.net", 201, "the Cakemail API answered status 'rejected'"));
    }

    /** What the API said it did not process (503, 429) is tried again at once, within the message's tries. */
    @Test
    void transientFailuresAreRetriedAndRetryAfterHonoured() throws Exception {
        start(UnaryOperator.identity());
        sandbox.faults().add(Fault.status("/v2/emails", 503).times(2));
        sandbox.faults().add(Fault.tooManyRequests("/v2/emails", 1).times(1));
        long start = System.nanoTime();
        List<RecipientOutcome> outcomes =
                outcomes(deliver(login(), List.of("a@example.net"), message("sandbox@example.com", null)));
        assertThat(outcomes.get(0))
                .as("two failures of three allowed, and a 429")
                .isInstanceOf(RecipientOutcome.Queued.class);
        assertThat(sandbox.calls("POST /v2/emails")).isEqualTo(4);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
    }

    /**
     * A connection cut after the request was written, or a 500, may hide a message the API took: it is never tried
     * again at once. The client's retry asks the API's log first: what the API took is not sent again (the log's id
     * is the answer), what it did not take is sent.
     */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void aSubmissionInDoubtIsNeverSentTwice(boolean apiTookIt) throws Exception {
        start(UnaryOperator.identity(), builder -> builder.doubtCheckAfter(Duration.ZERO));
        ApiPrincipal principal = login();
        // later than a@'s answer, which the cut of the connection they share would otherwise take with it
        Fault cut = Fault.reset("/v2/emails").forRecipients("^b@").delayed(300).times(1);
        sandbox.faults().add(apiTookIt ? cut.afterTaking() : cut);
        ParsedMessage first = message("sandbox@example.com", "<doubt@test>");
        List<RecipientOutcome> tried = outcomes(deliver(principal, List.of("a@example.net", "b@example.net"), first));
        assertThat(tried.get(0)).isInstanceOf(RecipientOutcome.Queued.class);
        assertThat(tried.get(1)).isInstanceOf(RecipientOutcome.InDoubt.class);
        assertThat(sandbox.calls("POST /v2/emails")).as("no try after the cut").isEqualTo(2);

        List<RecipientOutcome> retried = outcomes(deliver(
                principal, List.of("a@example.net", "b@example.net"), message("sandbox@example.com", "<doubt@test>")));
        assertThat(retried).allSatisfy(outcome -> assertThat(outcome).isInstanceOf(RecipientOutcome.Queued.class));
        assertThat(sandbox.calls("GET /v2/logs/emails")).isPositive();
        assertThat(((RecipientOutcome.Queued) retried.get(1)).remembered())
                .as("taken, found in the log")
                .isEqualTo(apiTookIt);
        assertThat(sandbox.inbox().emails())
                .extracting(email -> email.recipient())
                .containsExactlyInAnyOrder("a@example.net", "b@example.net");
    }

    /** A ledger that cannot record the recipients a 451 would promise not to resend: the delivery says so. */
    @Test
    void aLedgerThatCannotRecordTheRetryIsReported() throws Exception {
        AcceptedLedger failing = new AcceptedLedger() {
            @Override
            public Mono<Map<String, String>> accepted(Supplier<String> message, List<String> recipients) {
                return Mono.just(Map.of());
            }

            @Override
            public Mono<Void> remember(String message, Map<String, String> emailIds, Map<String, String> metadata) {
                return Mono.error(new IllegalStateException("no room"));
            }

            @Override
            public Mono<Void> forget(String message, Collection<String> recipients) {
                return Mono.empty();
            }
        };
        start(UnaryOperator.identity(), UnaryOperator.identity(), ApiServices.DEFAULT.withLedger(failing));
        sandbox.faults().add(Fault.status("/v2/emails", 503).forRecipients("^b@"));
        Delivery delivery = deliver(
                login(), List.of("a@example.net", "b@example.net"), message("sandbox@example.com", "<norecord@test>"));
        assertThat(delivery)
                .isInstanceOfSatisfying(
                        Delivery.Submitted.class,
                        submitted -> assertThat(submitted.recorded()).isFalse());
    }

    /** The API's log is trusted only once it has had time to show a submission: a retry sooner stays in doubt. */
    @Test
    void aRetrySoonAfterADoubtfulTryStaysInDoubt() throws Exception {
        start(UnaryOperator.identity());
        ApiPrincipal principal = login();
        sandbox.faults().add(Fault.status("/v2/emails", 500).times(1));
        assertThat(outcomes(
                        deliver(principal, List.of("b@example.net"), message("sandbox@example.com", "<soon@test>"))))
                .first()
                .isInstanceOf(RecipientOutcome.InDoubt.class);
        assertThat(outcomes(
                        deliver(principal, List.of("b@example.net"), message("sandbox@example.com", "<soon@test>"))))
                .first()
                .isInstanceOfSatisfying(
                        RecipientOutcome.InDoubt.class,
                        doubt -> assertThat(doubt.reason()).contains("log cannot tell yet"));
        assertThat(sandbox.calls("POST /v2/emails")).isEqualTo(1);
        assertThat(sandbox.inbox().emails()).isEmpty();
    }

    @Test
    void anExpiredTokenIsRenewedOnce() throws Exception {
        start(UnaryOperator.identity());
        ApiPrincipal principal = login();
        sandbox.expireTokens();
        assertThat(outcomes(deliver(principal, List.of("a@example.net"), message("sandbox@example.com", null))))
                .first()
                .isInstanceOf(RecipientOutcome.Queued.class);
        sandbox.faults().add(Fault.status("/v2/emails", 401));
        RecipientOutcome refused = outcomes(
                        deliver(principal, List.of("b@example.net"), message("sandbox@example.com", null)))
                .get(0);
        assertThat(refused)
                .isInstanceOfSatisfying(
                        RecipientOutcome.Deferred.class,
                        d -> assertThat(d.tokenRejected()).isTrue());
    }

    /** After a password change or a key rotation the API revokes every token: the refresh is refused, the login is not. */
    @Test
    void aRefusedRefreshFallsBackToThePasswordAndIsNotHeldAgainstTheLogin() throws Exception {
        start(UnaryOperator.identity());
        ApiPrincipal principal = login();
        assertThat(outcomes(deliver(principal, List.of("a@example.net"), message("sandbox@example.com", null))))
                .first()
                .isInstanceOf(RecipientOutcome.Queued.class);
        sandbox.revokeTokens();
        assertThat(outcomes(deliver(principal, List.of("b@example.net"), message("sandbox@example.com", null))))
                .first()
                .isInstanceOf(RecipientOutcome.Queued.class);
        assertThat(client.login("test", USER, PASSWORD).block(Duration.ofSeconds(10)))
                .isNotNull();
        assertThat(sandbox.calls("POST /token"))
                .as("password, refresh refused, password")
                .isEqualTo(3);
    }

    @Test
    void aLoginIsOneIdentityHoweverItsCaseIsWritten() throws Exception {
        start(UnaryOperator.identity());
        for (String spelling : List.of(USER, USER.toUpperCase(java.util.Locale.ROOT), " Sandbox@Example.com ")) {
            assertThat(client.login("test", spelling, PASSWORD).block(Duration.ofSeconds(10)))
                    .extracting(ApiPrincipal::getName)
                    .isEqualTo(USER);
        }
        assertThat(sandbox.calls("POST /token"))
                .as("one call, one cached token")
                .isEqualTo(1);
        assertThat(client.cachedTokens()).isEqualTo(1);
    }

    /**
     * After a password change the API refuses the old password: a message of a session logged in before gets a
     * permanent refusal naming the credentials, and the old password is refused at AUTH from then on, not let in by the
     * token cached for it once its brief memory of wrong credentials has passed.
     */
    @Test
    void aPasswordTheApiRefusedStaysRefusedAndItsMessagesAreRefusedForGood() throws Exception {
        ManualTicker ticker = new ManualTicker();
        start(UnaryOperator.identity(), UnaryOperator.identity(), ApiServices.DEFAULT.withTicker(ticker));
        ApiPrincipal principal = login();
        sandbox.revokeTokens();
        sandbox.faults().add(Fault.status("/token", 401));
        assertThat(deliver(principal, List.of("a@example.net"), message("sandbox@example.com", null)))
                .as("refused at the sender lookup, before any submission")
                .isInstanceOf(Delivery.CredentialsRefused.class);
        ticker.advance(Duration.ofMinutes(1)); // past the memory of wrong credentials
        assertThatThrownBy(() -> client.login("test", USER, PASSWORD).block(Duration.ofSeconds(10)))
                .isInstanceOfSatisfying(
                        AuthenticationException.class,
                        e -> assertThat(e.kind()).isEqualTo(AuthenticationException.Kind.BAD_CREDENTIALS));
    }

    /** One account's refused credentials say nothing of the API's health: the breaker stays closed for everyone. */
    @Test
    void anAccountsRefusedCredentialsNeverOpenTheBreaker() throws Exception {
        start(
                UnaryOperator.identity(),
                builder -> builder.breakerWindow(10)
                        .breakerMinimumCalls(10)
                        .breakerFailureRate(50)
                        .breakerOpenDuration(Duration.ofSeconds(30)));
        ApiPrincipal principal = login();
        deliver(principal, List.of("first@example.net"), message("sandbox@example.com", null)); // senders now known
        sandbox.revokeTokens();
        sandbox.faults().add(Fault.status("/token", 401));
        List<String> recipients = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            recipients.add("r" + i + "@example.net");
        }
        List<RecipientOutcome> outcomes =
                outcomes(deliver(principal, recipients, message("sandbox@example.com", null)));
        assertThat(client.circuitState()).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(outcomes)
                .hasSize(40)
                .allSatisfy(outcome -> assertThat(outcome)
                        .isInstanceOfSatisfying(
                                RecipientOutcome.Refused.class,
                                refused -> assertThat(refused.status()).isEqualTo(401)));
    }

    /** A 201 stored the message: only {@code rejected} and {@code error} refuse it; a status added later is accepted. */
    @Test
    void aCreatedSubmissionWithAStatusTheGatewayDoesNotKnowIsAccepted() throws Exception {
        List<String> unknown = new ArrayList<>();
        start(
                UnaryOperator.identity(),
                UnaryOperator.identity(),
                ApiServices.DEFAULT.withMetrics(new ApiMetricsRecorder() {
                    @Override
                    public void unknownSubmissionStatus() {
                        unknown.add("counted");
                    }
                }));
        sandbox.faults().add(Fault.emailStatus("scheduled"));
        assertThat(outcomes(deliver(login(), List.of("a@example.net"), message("sandbox@example.com", null))))
                .first()
                .isInstanceOfSatisfying(
                        RecipientOutcome.Queued.class,
                        queued -> assertThat(queued.emailId()).isNotBlank());
        assertThat(unknown).hasSize(1);
    }

    @Test
    void theCircuitOpensWhileTheApiFailsAndClosesWhenItRecovers() throws Exception {
        ManualTicker ticker = new ManualTicker();
        start(
                UnaryOperator.identity(),
                builder -> builder.breakerWindow(4)
                        .breakerMinimumCalls(4)
                        .breakerFailureRate(50)
                        .breakerOpenDuration(Duration.ofMillis(500))
                        .messageDeadline(Duration.ofSeconds(1)),
                ApiServices.DEFAULT.withTicker(ticker));
        ApiPrincipal principal = login();
        sandbox.faults().add(Fault.status("/v2/emails", 503));
        deliver(
                principal,
                List.of("a1@example.net", "a2@example.net", "a3@example.net", "a4@example.net"),
                message("sandbox@example.com", null));
        assertThat(client.circuitState()).isEqualTo(CircuitBreaker.State.OPEN);
        int calls = sandbox.calls("POST /v2/emails");
        RecipientOutcome fast = outcomes(
                        deliver(principal, List.of("b@example.net"), message("sandbox@example.com", null)))
                .get(0);
        assertThat(((RecipientOutcome.Deferred) fast).reason()).contains("circuit open");
        assertThat(sandbox.calls("POST /v2/emails"))
                .as("answered without asking the API")
                .isEqualTo(calls);
        sandbox.faults().clear();
        ticker.advance(Duration.ofMillis(600));
        assertThat(outcomes(deliver(
                        principal,
                        List.of("c1@example.net", "c2@example.net", "c3@example.net"),
                        message("sandbox@example.com", null))))
                .allSatisfy(outcome -> assertThat(outcome).isInstanceOf(RecipientOutcome.Queued.class));
        assertThat(client.circuitState()).isEqualTo(CircuitBreaker.State.CLOSED);
    }

    /**
     * A recipient the API always answers 503 has three tries a message, and however often its client retries, its
     * failures do not open the breaker: everyone else's mail still goes.
     */
    @Test
    void aPoisonRecipientHasItsTriesAndNeverOpensTheCircuitForOthers() throws Exception {
        start(
                UnaryOperator.identity(),
                builder -> builder.breakerWindow(4)
                        .breakerMinimumCalls(4)
                        .breakerFailureRate(50)
                        .breakerOpenDuration(Duration.ofSeconds(30))
                        .messageDeadline(Duration.ofSeconds(10)));
        ApiPrincipal principal = login();
        sandbox.faults().add(Fault.status("/v2/emails", 503).forRecipients("^poison@"));
        for (int retry = 0; retry < 4; retry++) {
            int callsBefore = sandbox.calls("POST /v2/emails");
            List<RecipientOutcome> outcomes = outcomes(deliver(
                    principal,
                    List.of("poison@example.net", "ok" + retry + "@example.net"),
                    message("sandbox@example.com", null)));
            assertThat(outcomes.get(0))
                    .isInstanceOfSatisfying(
                            RecipientOutcome.Deferred.class,
                            deferred -> assertThat(deferred.reason()).endsWith("(3 attempts)"));
            assertThat(outcomes.get(1)).isInstanceOf(RecipientOutcome.Queued.class);
            assertThat(sandbox.calls("POST /v2/emails") - callsBefore)
                    .as("three tries and one")
                    .isEqualTo(4);
        }
        assertThat(client.circuitState()).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(outcomes(deliver(principal, List.of("other@example.net"), message("sandbox@example.com", null))))
                .first()
                .isInstanceOf(RecipientOutcome.Queued.class);
    }

    /** With or without a Message-ID, a retry is known: it is the same message, every header alike. */
    @ParameterizedTest
    @NullSource
    @ValueSource(strings = "<retry-me@test>")
    void aRetriedMessageIsNotSentAgainToRecipientsAlreadyQueued(String messageId) throws Exception {
        start(UnaryOperator.identity(), builder -> builder.messageDeadline(Duration.ofSeconds(1)));
        ApiPrincipal principal = login();
        sandbox.faults().add(Fault.status("/v2/emails", 503).forRecipients("^b@"));
        List<RecipientOutcome> first = outcomes(deliver(
                principal, List.of("a@example.net", "b@example.net"), message("sandbox@example.com", messageId)));
        assertThat(first.get(0)).isInstanceOf(RecipientOutcome.Queued.class);
        assertThat(first.get(1)).isInstanceOf(RecipientOutcome.Deferred.class);
        sandbox.faults().clear();
        List<RecipientOutcome> second = outcomes(deliver(
                principal, List.of("a@example.net", "b@example.net"), message("sandbox@example.com", messageId)));
        assertThat(second.get(0))
                .isEqualTo(new RecipientOutcome.Queued(
                        "a@example.net", ((RecipientOutcome.Queued) first.get(0)).emailId(), true));
        assertThat(second.get(1)).isInstanceOf(RecipientOutcome.Queued.class);
        assertThat(sandbox.inbox().emails())
                .extracting(e -> e.recipient())
                .containsExactlyInAnyOrder("a@example.net", "b@example.net");
        List<RecipientOutcome> third =
                outcomes(deliver(principal, List.of("a@example.net"), message("sandbox@example.com", messageId)));
        assertThat(third.get(0))
                .as("the retry went through: sent again, the message is a new one")
                .isInstanceOf(RecipientOutcome.Queued.class)
                .isNotEqualTo(second.get(0));
        assertThat(sandbox.inbox().emails()).hasSize(3);
    }

    /** Mailing tools reuse Message-IDs: another message under the same one is a new message, sent to everyone. */
    @Test
    void aDifferentMessageUnderAReusedMessageIdIsSentToRecipientsTheFirstReached() throws Exception {
        start(UnaryOperator.identity(), builder -> builder.messageDeadline(Duration.ofSeconds(1)));
        ApiPrincipal principal = login();
        sandbox.faults().add(Fault.status("/v2/emails", 503).forRecipients("^b@"));
        List<RecipientOutcome> first = outcomes(deliver(
                principal, List.of("a@example.net", "b@example.net"), message("sandbox@example.com", "<reused@test>")));
        assertThat(first.get(1)).isInstanceOf(RecipientOutcome.Deferred.class);
        sandbox.faults().clear();
        ParsedMessage other = parse("From: Sender <sandbox@example.com>\r\nSubject: Another\r\n"
                + "Message-ID: <reused@test>\r\n\r\nA different message\r\n");
        assertThat(outcomes(deliver(principal, List.of("a@example.net"), other)).get(0))
                .isInstanceOfSatisfying(
                        RecipientOutcome.Queued.class,
                        q -> assertThat(q.remembered()).isFalse());
        assertThat(sandbox.inbox().emails()).extracting(e -> e.subject()).containsExactlyInAnyOrder("Test", "Another");
    }

    /**
     * An alert composed again with the same words is a new message, though it has no Message-ID: its Date differs, as
     * a retry's never would. It reaches everyone, the recipient the first one reached too.
     */
    @Test
    void aMessageComposedAgainWithTheSameContentIsANewMessage() throws Exception {
        start(UnaryOperator.identity(), builder -> builder.messageDeadline(Duration.ofSeconds(1)));
        ApiPrincipal principal = login();
        String alert = "From: Sender <sandbox@example.com>\r\nSubject: Disk full\r\nDate: %s\r\n\r\nDisk full\r\n";
        sandbox.faults().add(Fault.status("/v2/emails", 503).forRecipients("^b@"));
        List<RecipientOutcome> first = outcomes(deliver(
                principal,
                List.of("a@example.net", "b@example.net"),
                parse(String.format(alert, "Mon, 7 Dec 2026 10:00:00 +0000"))));
        assertThat(first.get(1)).isInstanceOf(RecipientOutcome.Deferred.class);
        sandbox.faults().clear();
        List<RecipientOutcome> later = outcomes(deliver(
                principal,
                List.of("a@example.net", "b@example.net"),
                parse(String.format(alert, "Mon, 7 Dec 2026 11:00:00 +0000"))));
        assertThat(later)
                .allSatisfy(outcome -> assertThat(outcome)
                        .isInstanceOfSatisfying(
                                RecipientOutcome.Queued.class,
                                q -> assertThat(q.remembered()).isFalse()));
        assertThat(sandbox.inbox().emails()).hasSize(3);
    }

    @Test
    void aMessageThatNeedsNoRetryIsNotRemembered() throws Exception {
        start(UnaryOperator.identity());
        ApiPrincipal principal = login();
        for (int i = 0; i < 2; i++) {
            assertThat(outcomes(deliver(
                                    principal,
                                    List.of("a@example.net"),
                                    message("sandbox@example.com", "<same-id@test>")))
                            .get(0))
                    .isInstanceOfSatisfying(
                            RecipientOutcome.Queued.class,
                            q -> assertThat(q.remembered()).isFalse());
        }
        assertThat(sandbox.inbox().emails()).hasSize(2);
    }

    @Test
    void accountIdAndConfiguredDefaultsReachTheRequest() throws Exception {
        start(UnaryOperator.identity(), builder -> builder.defaultListId(2L).defaultEmailType("marketing"));
        String text = "From: sandbox@example.com\r\nSubject: Sub-account\r\nX-Account-Id: 1003\r\n\r\nHi\r\n";
        assertThat(outcomes(deliver(login(), List.of("a@example.net"), parse(text))))
                .first()
                .isInstanceOf(RecipientOutcome.Queued.class);
        var email = sandbox.inbox().emails().get(0);
        assertThat(email.accountId()).isEqualTo(1003);
        assertThat(email.request().get("list_id").asLong()).isEqualTo(2);
        assertThat(email.request().at("/content/type").asText()).isEqualTo("marketing");
    }

    @Test
    void anUnknownSenderRefetchesTheListOnceWhenItIsOldEnough() throws Exception {
        start(UnaryOperator.identity(), builder -> builder.senderMissRefresh(Duration.ZERO));
        ApiPrincipal principal = login();
        deliver(principal, List.of("a@example.net"), message("sandbox@example.com", null));
        assertThat(sandbox.calls("GET /brands/default/senders")).isEqualTo(1);
        assertThat(deliver(principal, List.of("a@example.net"), message("new@example.com", null)))
                .isInstanceOf(Delivery.SenderNotConfirmed.class);
        assertThat(sandbox.calls("GET /brands/default/senders")).isEqualTo(2);
    }

    @Test
    void aRecentListIsTrustedForUnknownSenders() throws Exception {
        start(UnaryOperator.identity());
        ApiPrincipal principal = login();
        deliver(principal, List.of("a@example.net"), message("sandbox@example.com", null));
        deliver(principal, List.of("a@example.net"), message("new@example.com", null));
        assertThat(sandbox.calls("GET /brands/default/senders")).isEqualTo(1);
    }

    @Test
    void speaksHttp11AndH2OverTlsToo() throws Exception {
        sandbox = CakemailSandbox.start(SandboxConfig.defaults(), "127.0.0.1", 0);
        try (CakemailClient http11 =
                new CakemailClient(ApiConfig.builder(sandbox.baseUri()).build())) {
            client = http11;
            assertThat(outcomes(deliver(login(), List.of("h1@example.net"), message("sandbox@example.com", null))))
                    .first()
                    .isInstanceOf(RecipientOutcome.Queued.class);
        }
        try (CakemailSandbox tls = CakemailSandbox.startTls(SandboxConfig.defaults(), "127.0.0.1", 0);
                CakemailClient h2 =
                        new CakemailClient(ApiConfig.builder(java.net.URI.create("https://localhost:" + tls.port()))
                                .insecureTls(true)
                                .build())) {
            client = h2;
            assertThat(outcomes(deliver(login(), List.of("h2@example.net"), message("sandbox@example.com", null))))
                    .first()
                    .isInstanceOf(RecipientOutcome.Queued.class);
            assertThat(tls.inbox().emails()).hasSize(1);
        } finally {
            client = null;
        }
    }

    private void start(UnaryOperator<SandboxConfig> sandboxConfig) throws Exception {
        start(sandboxConfig, UnaryOperator.identity());
    }

    private void start(UnaryOperator<SandboxConfig> sandboxConfig, UnaryOperator<ApiConfig.Builder> apiConfig)
            throws Exception {
        start(sandboxConfig, apiConfig, ApiServices.DEFAULT);
    }

    private void start(
            UnaryOperator<SandboxConfig> sandboxConfig,
            UnaryOperator<ApiConfig.Builder> apiConfig,
            ApiServices services)
            throws Exception {
        sandbox = CakemailSandbox.start(sandboxConfig.apply(SandboxConfig.defaults()), "127.0.0.1", 0);
        client = new CakemailClient(
                apiConfig
                        .apply(ApiConfig.builder(sandbox.baseUri())
                                .h2c(true)
                                .backoffBase(Duration.ofMillis(20))
                                .backoffMax(Duration.ofMillis(200)))
                        .build(),
                services,
                null);
    }

    private ApiPrincipal login() {
        return client.login("test", USER, PASSWORD).block(Duration.ofSeconds(10));
    }

    private Delivery deliver(ApiPrincipal principal, List<String> recipients, ParsedMessage message) {
        return client.deliver(principal, null, recipients, message).block(Duration.ofSeconds(30));
    }

    private static List<RecipientOutcome> outcomes(Delivery delivery) {
        assertThat(delivery).isInstanceOf(Delivery.Submitted.class);
        return ((Delivery.Submitted) delivery).outcomes();
    }

    static ParsedMessage message(String from, String messageId) {
        return parse("From: Sender <" + from + ">\r\nSubject: Test\r\n"
                + (messageId == null ? "" : "Message-ID: " + messageId + "\r\n") + "\r\nHello\r\n");
    }

    static ParsedMessage parse(String text) {
        try (MessageTransformer transformer =
                new MessageTransformer(TransformConfig.DEFAULT, PooledByteBufAllocator.DEFAULT)) {
            ByteBuf chunk = PooledByteBufAllocator.DEFAULT.buffer().writeBytes(text.getBytes(StandardCharsets.UTF_8));
            transformer.feed(chunk);
            chunk.release();
            return ((TransformResult.Transformed) transformer.finish()).message();
        }
    }
}
