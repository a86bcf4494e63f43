package io.cakemail.gateway.core.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import org.junit.jupiter.api.Test;

/** A request's headers never show its token in their text, which is what a log line would print. */
class SecretsTest {

    @Test
    void requestHeadersHideTheirToken() {
        DefaultHttp2Headers headers = new DefaultHttp2Headers();
        headers.set("authorization", "Bearer access-123");
        assertThat(new ApiHttp.RequestHeaders(HttpMethod.POST, "/v2/emails", "access-123", "application/json", headers)
                        .toString())
                .contains("/v2/emails")
                .doesNotContain("access-123");
    }
}
