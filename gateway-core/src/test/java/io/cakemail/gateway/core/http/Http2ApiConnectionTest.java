package io.cakemail.gateway.core.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.netty.buffer.Unpooled;
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
        AtomicReference<Throwable> failure = start(connection);
        channel.runPendingTasks(); // the request is written: the API may have it
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

    /** A request not yet written when the connection fails cannot have reached the API: the failure says so. */
    @Test
    void aRequestNotYetWrittenWhenTheConnectionFailsIsKnownNotSent() {
        Http2ApiConnection connection = Http2ApiConnection.create(10, () -> {});
        EmbeddedChannel channel = new EmbeddedChannel(connection);
        AtomicReference<Throwable> failure = start(connection);

        IOException reset = new IOException("Connection reset by peer");
        channel.pipeline().fireExceptionCaught(reset);

        assertThat(failure.get()).isInstanceOf(RequestNotSentException.class).hasCause(reset);
        channel.finishAndReleaseAll();
    }

    /**
     * Written requests the API says it did not process are known not sent (RFC 9113 8.7): a stream refused with
     * {@code REFUSED_STREAM}, and one above the last stream a {@code GOAWAY} names. One below it stays in flight.
     */
    @Test
    void refusedStreamsAndThoseAboveAGoAwayAreKnownNotSent() {
        Http2ApiConnection connection = Http2ApiConnection.create(10, () -> {});
        EmbeddedChannel channel = new EmbeddedChannel(connection);
        AtomicReference<Throwable> first = start(connection); // stream 3
        AtomicReference<Throwable> second = start(connection); // stream 5
        AtomicReference<Throwable> third = start(connection); // stream 7
        channel.runPendingTasks();

        channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {
            0,
            0,
            0,
            4,
            0,
            0,
            0,
            0,
            0, // SETTINGS, empty
            0,
            0,
            4,
            3,
            0,
            0,
            0,
            0,
            5,
            0,
            0,
            0,
            7, // RST_STREAM 5, REFUSED_STREAM
            0,
            0,
            8,
            7,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            3,
            0,
            0,
            0,
            0 // GOAWAY, last stream 3, NO_ERROR
        }));

        assertThat(first.get())
                .as("below the GOAWAY's last stream: still in flight")
                .isNull();
        assertThat(second.get()).isInstanceOf(RequestNotSentException.class).hasMessageContaining("REFUSED_STREAM");
        assertThat(third.get()).isInstanceOf(RequestNotSentException.class).hasMessageContaining("GOAWAY");
        channel.finishAndReleaseAll();
    }

    /** Starts a POST on {@code connection}; its failure, once it fails. */
    private static AtomicReference<Throwable> start(Http2ApiConnection connection) {
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
        return failure;
    }
}
