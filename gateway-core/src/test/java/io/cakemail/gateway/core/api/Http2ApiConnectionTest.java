package io.cakemail.gateway.core.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/** One HTTP/2 connection to the API, on an embedded channel: what a failure of the connection itself does. */
class Http2ApiConnectionTest {

    @Test
    void aResetConnectionFailsItsExchangesWithTheCauseAndClosesWithoutPassingItOn() {
        Http2ApiConnection connection = Http2ApiConnection.create(10, () -> {});
        EmbeddedChannel channel = new EmbeddedChannel(connection);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Mono.<ApiResponse>create(caller -> connection.start(new ApiExchange(
                        new DefaultHttp2Headers()
                                .method("POST")
                                .scheme("http")
                                .authority("api")
                                .path("/v2/emails"),
                        null,
                        caller,
                        ApiMetricsRecorder.NONE)))
                .subscribe(response -> {}, failure::set);
        assertThat(failure).as("in flight").hasValue(null);

        IOException reset = new IOException("Connection reset by peer");
        channel.pipeline().fireExceptionCaught(reset);

        assertThat(failure).as("the exchange's failure").hasValue(reset);
        assertThat(channel.isOpen()).isFalse();
        assertThatCode(channel::checkException)
                .as("nothing reached the end of the pipeline, which would log it with its stack trace")
                .doesNotThrowAnyException();
        channel.finishAndReleaseAll(); // the preface and the request the connection wrote
    }
}
