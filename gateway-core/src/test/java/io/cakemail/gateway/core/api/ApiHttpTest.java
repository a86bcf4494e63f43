package io.cakemail.gateway.core.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.ssl.util.SelfSignedCertificate;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.Http11SslContextSpec;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.server.HttpServer;

class ApiHttpTest {

    @Test
    void aTlsServerWithoutH2IsSpokenToInHttp11() throws Exception {
        SelfSignedCertificate certificate = new SelfSignedCertificate("localhost");
        DisposableServer server = HttpServer.create()
                .host("127.0.0.1")
                .port(0)
                .protocol(HttpProtocol.HTTP11)
                .secure(spec -> spec.sslContext(Http11SslContextSpec.forServer(certificate.key(), certificate.cert())))
                .route(routes -> routes.get(
                        "/ping",
                        (request, response) -> response.header("X-Protocol", request.protocol())
                                .sendString(Mono.just("pong"))))
                .bindNow(Duration.ofSeconds(10));
        ApiConfig config = ApiConfig.builder(URI.create("https://localhost:" + server.port()))
                .insecureTls(true)
                .build();
        try (ApiHttp http = new ApiHttp(config, null)) {
            for (int call = 0; call < 2; call++) {
                ApiResponse response = http.send(HttpMethod.GET, "/ping", null, null, null, null)
                        .block(Duration.ofSeconds(10));
                assertThat(response.status()).isEqualTo(200);
                assertThat(response.headers().get("X-Protocol")).isEqualTo("HTTP/1.1");
                assertThat(new String(response.body(), StandardCharsets.UTF_8)).isEqualTo("pong");
            }
        } finally {
            server.disposeNow();
        }
    }
}
