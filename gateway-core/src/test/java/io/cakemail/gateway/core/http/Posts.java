package io.cakemail.gateway.core.http;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpMethod;
import java.time.Duration;
import java.util.List;
import java.util.function.IntFunction;
import reactor.core.publisher.Flux;

/** Requests sent all at once through {@link ApiHttp}, as a message fanned out to many recipients sends them. */
final class Posts {

    private Posts() {}

    /** POSTs {@code count} requests to {@code path} together, the i-th with {@code body.apply(i)}; their responses. */
    static List<ApiResponse> together(ApiHttp http, String path, int count, IntFunction<ByteBuf> body) {
        return Flux.range(0, count)
                .flatMap(
                        i -> http.send(HttpMethod.POST, path, "token", "application/json", () -> body.apply(i), null),
                        count)
                .collectList()
                .block(Duration.ofSeconds(20));
    }
}
