package io.cakemail.gateway.core.http;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.cakemail.gateway.core.api.ApiConfig;
import io.cakemail.gateway.testkit.FreePorts;
import io.cakemail.sandbox.CakemailSandbox;
import io.cakemail.sandbox.SandboxConfig;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.ssl.util.SelfSignedCertificate;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.Exceptions;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.Http11SslContextSpec;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.server.HttpServer;

/** The API client's one HTTP stack: h2, h2c and HTTP/1.1, with the same limits, and connections kept per loop. */
class ApiHttpTest {

    @Test
    void aTlsServerWithoutH2IsSpokenToInHttp11() throws Exception {
        SelfSignedCertificate certificate = new SelfSignedCertificate("localhost");
        DisposableServer server = echoServer(HttpServer.create()
                .protocol(HttpProtocol.HTTP11)
                .secure(spec ->
                        spec.sslContext(Http11SslContextSpec.forServer(certificate.key(), certificate.cert()))));
        ApiConfig config = ApiConfig.builder(URI.create("https://localhost:" + server.port()))
                .insecureTls(true)
                .build();
        try (ApiHttp http = new ApiHttp(config, null)) {
            for (int call = 0; call < 2; call++) {
                ApiResponse response = get(http, "/ping");
                assertThat(response.status()).isEqualTo(200);
                assertThat(response.headers().get("X-Protocol")).isEqualTo("HTTP/1.1");
                assertThat(new String(response.body(), UTF_8)).isEqualTo("pong");
            }
        } finally {
            server.disposeNow();
        }
    }

    @Test
    void aPlainApiWithoutH2cIsSpokenToInHttp11AndManyRequestsShareFewConnections() {
        DisposableServer server = echoServer(HttpServer.create().protocol(HttpProtocol.HTTP11));
        ApiConfig config = ApiConfig.builder(URI.create("http://127.0.0.1:" + server.port()))
                .maxConnections(2)
                .build();
        try (ApiHttp http = new ApiHttp(config, null)) {
            List<ApiResponse> responses = Posts.together(http, "/echo", 40, i -> Unpooled.copiedBuffer("m" + i, UTF_8));
            assertThat(responses).hasSize(40).allSatisfy(response -> {
                assertThat(response.status()).isEqualTo(200);
                assertThat(response.headers().get("X-Protocol")).isEqualTo("HTTP/1.1");
                assertThat(response.headers().get("X-Authorization")).isEqualTo("Bearer token");
            });
            assertThat(responses).extracting(r -> new String(r.body(), UTF_8)).doesNotHaveDuplicates();
            assertThat(responses.stream()
                            .map(r -> r.headers().get("X-Client-Port"))
                            .distinct())
                    .as("connections used")
                    .doesNotContainNull()
                    .hasSizeBetween(1, 2);
        } finally {
            server.disposeNow();
        }
    }

    @ValueSource(booleans = {true, false})
    @ParameterizedTest(name = "h2c {0}")
    void aResponseBodyOverOneMebibyteIsRefusedWhateverTheProtocol(boolean h2c) {
        DisposableServer server = echoServer(HttpServer.create().protocol(HttpProtocol.HTTP11, HttpProtocol.H2C));
        ApiConfig config = ApiConfig.builder(URI.create("http://127.0.0.1:" + server.port()))
                .h2c(h2c)
                .build();
        try (ApiHttp http = new ApiHttp(config, null)) {
            assertThat(get(http, "/large?size=" + (1024 * 1024)).body()).hasSize(1024 * 1024);
            assertThatThrownBy(() -> get(http, "/large?size=" + (1024 * 1024 + 1)))
                    .hasMessageContaining("larger than this client takes");
            assertThat(get(http, "/ping").status()).as("the client carries on").isEqualTo(200);
        } finally {
            server.disposeNow();
        }
    }

    @Test
    void connectionsAreOpenedWhenTheOpenOnesHaveNoFreeStreamUpToTheLimit() throws Exception {
        DisposableServer server = echoServer(HttpServer.create().protocol(HttpProtocol.H2C));
        EventLoopGroup oneLoop = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        ApiConfig config = ApiConfig.builder(URI.create("http://127.0.0.1:" + server.port()))
                .h2c(true)
                .maxConnections(4)
                .maxConcurrentStreams(2)
                .build();
        try (ApiHttp http = new ApiHttp(config, oneLoop)) {
            assertThat(clientPortsOfHeldRequests(http, 2))
                    .as("two requests, two streams of one connection")
                    .hasSize(1);
            assertThat(clientPortsOfHeldRequests(http, 5))
                    .as("five requests on two streams each")
                    .hasSize(3);
            assertThat(clientPortsOfHeldRequests(http, 12))
                    .as("twelve requests: four connections, and the rest wait for a stream")
                    .hasSize(4);
        } finally {
            server.disposeNow();
            oneLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /** Sends {@code count} requests together to {@code /held}; the client ports the server saw them come from. */
    private static Set<String> clientPortsOfHeldRequests(ApiHttp http, int count) {
        return Posts.together(http, "/held", count, i -> Unpooled.EMPTY_BUFFER).stream()
                .map(response -> response.headers().get("X-Client-Port"))
                .collect(Collectors.toSet());
    }

    @Test
    void anApiThatRefusesConnectionsIsAConnectFailure() throws Exception {
        int closedPort = FreePorts.next();
        EventLoopGroup epoll = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        ApiConfig config = ApiConfig.builder(URI.create("http://127.0.0.1:" + closedPort))
                .h2c(true)
                .build();
        try (ApiHttp http = new ApiHttp(config, epoll)) {
            Throwable failure = catchThrowable(() -> get(http, "/ping"));
            assertThat(ApiError.of(failure)).as("%s", failure).isEqualTo(ApiError.CONNECT);
            assertThat(Exceptions.unwrap(failure))
                    .as("a request never sent may be tried again")
                    .isInstanceOf(RequestNotSentException.class);
        } finally {
            epoll.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @Test
    void anHttp11RequestThatTimesOutClosesItsConnectionAndTheNextOneWorks() {
        DisposableServer server = echoServer(HttpServer.create().protocol(HttpProtocol.HTTP11));
        ApiConfig config = ApiConfig.builder(URI.create("http://127.0.0.1:" + server.port()))
                .maxConnections(1)
                .build();
        try (ApiHttp http = new ApiHttp(config, null)) {
            assertThatThrownBy(() -> http.send(HttpMethod.GET, "/slow", null, null, null, Duration.ofMillis(300))
                            .block(Duration.ofSeconds(10)))
                    .hasMessageContaining("no answer from the API within 300 ms");
            assertThat(get(http, "/ping").status()).isEqualTo(200);
        } finally {
            server.disposeNow();
        }
    }

    @Test
    void aRequestMadeOnAnEventLoopIsAnsweredOnThatLoop() throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        try (CakemailSandbox sandbox = CakemailSandbox.start(SandboxConfig.defaults(), "127.0.0.1", 0);
                ApiHttp http = new ApiHttp(
                        ApiConfig.builder(sandbox.baseUri()).h2c(true).build(), group)) {
            for (int round = 0; round < 3; round++) {
                for (var executor : group) {
                    EventLoop loop = (EventLoop) executor;
                    CompletableFuture<Boolean> answeredHere = new CompletableFuture<>();
                    loop.execute(() -> http.send(HttpMethod.GET, "/brands/default/senders", null, null, null, null)
                            .subscribe(
                                    response -> answeredHere.complete(loop.inEventLoop()),
                                    answeredHere::completeExceptionally));
                    assertThat(answeredHere.get(10, TimeUnit.SECONDS)).isTrue();
                }
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @Test
    void aConnectionThatAnswersNothingIsPingedThenClosedBeforeTheDeadline() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread swallower = new Thread(() -> swallow(silent), "silent-api");
            swallower.setDaemon(true);
            swallower.start();
            ApiConfig config = ApiConfig.builder(URI.create("http://127.0.0.1:" + silent.getLocalPort()))
                    .h2c(true)
                    .pingAfterQuiet(Duration.ofMillis(200))
                    .build();
            try (ApiHttp http = new ApiHttp(config, null)) {
                long start = System.nanoTime();
                assertThatThrownBy(() -> http.send(HttpMethod.GET, "/ping", null, null, null, Duration.ofSeconds(20))
                                .block(Duration.ofSeconds(30)))
                        .hasMessageContaining("answered neither the requests nor a PING");
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
            }
        }
    }

    @Test
    void eachRequestCarriesItsOwnPathAndTokenThoughTheHeadersOfTheLastAreReused() throws Exception {
        try (CakemailSandbox sandbox = CakemailSandbox.start(SandboxConfig.defaults(), "127.0.0.1", 0);
                ApiHttp http = new ApiHttp(
                        ApiConfig.builder(sandbox.baseUri()).h2c(true).build(), null)) {
            String form = "grant_type=password&username=" + URLEncoder.encode(SandboxConfig.DEFAULT_USERNAME, UTF_8)
                    + "&password=" + URLEncoder.encode(SandboxConfig.DEFAULT_PASSWORD, UTF_8);
            ApiResponse granted = http.postForm("/token", form).block(Duration.ofSeconds(10));
            String token = granted.json().path("access_token").asText();
            assertThat(token).isNotEmpty();
            String senders = "/brands/default/senders";
            assertThat(status(http, senders, token)).isEqualTo(200);
            assertThat(status(http, senders, token)).isEqualTo(200);
            assertThat(status(http, senders, "not-" + token)).isEqualTo(401);
            assertThat(status(http, senders, token)).isEqualTo(200);
            assertThat(status(http, "/v2/emails/unknown", token)).isEqualTo(404);
            assertThat(sandbox.calls("GET /brands/default/senders")).isEqualTo(4);
        }
    }

    /**
     * {@code /ping} answers {@code pong}; {@code /echo} its body; {@code /held} nothing after 300 ms, with the client's
     * port; {@code /large?size=n} n octets; {@code /slow} after 5 s. Each answer names the protocol and the
     * Authorization it got.
     */
    private static DisposableServer echoServer(HttpServer server) {
        return server.host("127.0.0.1")
                .port(0)
                .route(routes -> routes.get(
                                "/ping",
                                (request, response) -> response.header("X-Protocol", request.protocol())
                                        .sendString(Mono.just("pong")))
                        .post(
                                "/echo",
                                (request, response) -> response.header("X-Protocol", request.protocol())
                                        .header(
                                                "X-Client-Port",
                                                String.valueOf(
                                                        request.remoteAddress().getPort()))
                                        .header(
                                                "X-Authorization",
                                                String.valueOf(
                                                        request.requestHeaders().get("Authorization")))
                                        .send(request.receive().aggregate().retain()))
                        .post(
                                "/held",
                                (request, response) -> Mono.delay(Duration.ofMillis(300))
                                        .then(response.header(
                                                        "X-Client-Port",
                                                        String.valueOf(request.remoteAddress()
                                                                .getPort()))
                                                .send()
                                                .then()))
                        .get("/large", (request, response) -> {
                            int size = Integer.parseInt(
                                    request.uri().substring(request.uri().indexOf('=') + 1));
                            return response.sendByteArray(Mono.just(new byte[size]));
                        })
                        .get(
                                "/slow",
                                (request, response) -> Mono.delay(Duration.ofSeconds(5))
                                        .then(response.sendString(Mono.just("late"))
                                                .then())))
                .bindNow(Duration.ofSeconds(10));
    }

    private static ApiResponse get(ApiHttp http, String path) {
        return http.send(HttpMethod.GET, path, null, null, null, null).block(Duration.ofSeconds(20));
    }

    private static int status(ApiHttp http, String path, String token) {
        return http.send(HttpMethod.GET, path, token, null, null, null)
                .block(Duration.ofSeconds(10))
                .status();
    }

    /** Reads whatever its clients send, answers nothing, as a peer behind a dead path would. */
    private static void swallow(ServerSocket server) {
        try {
            while (true) {
                Socket client = server.accept();
                Thread reader = new Thread(() -> {
                    try (client) {
                        client.getInputStream().transferTo(OutputStream.nullOutputStream());
                    } catch (IOException e) {
                        // the client closed it
                    }
                });
                reader.setDaemon(true);
                reader.start();
            }
        } catch (IOException e) {
            // the test closed the server
        }
    }
}
