package io.cakemail.gateway.core.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.Timeout;
import io.netty.util.Timer;
import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import reactor.core.publisher.MonoSink;

/**
 * One request to the API and its response, on an HTTP/2 stream or an HTTP/1.1 connection of {@link ApiHttp}: what
 * to send (as HTTP/2 headers, which an HTTP/1.1 connection translates), the response as it arrives, and the caller
 * waiting for it. Ends exactly once, however many paths race to end it.
 */
final class ApiExchange {

    /** Longest response body taken, whatever the protocol; the API's answers are a few hundred octets. */
    static final int MAX_RESPONSE_BODY = 1024 * 1024;

    final Http2Headers requestHeaders;
    /** Called once, when the request is written; {@code null} for a request without a body. */
    final Supplier<ByteBuf> body;

    private final MonoSink<ApiResponse> caller;
    private final ApiMetricsRecorder metrics;
    private final long startedAt = System.nanoTime();
    private final AtomicBoolean ended = new AtomicBoolean();
    private int status;
    /** Not validated again: the HTTP/2 decoder has checked the names. */
    private final HttpHeaders responseHeaders = new DefaultHttpHeaders(false);

    private byte[] responseBody = new byte[0];
    /** The whole request has been written to the connection: from then on, the API may have it. */
    private volatile boolean written;

    private volatile Timeout timer;
    /** Set once the request is on a stream: resets that stream when the exchange times out. */
    private volatile Runnable resetStream;

    ApiExchange(
            Http2Headers requestHeaders,
            Supplier<ByteBuf> body,
            MonoSink<ApiResponse> caller,
            ApiMetricsRecorder metrics) {
        this.requestHeaders = requestHeaders;
        this.body = body;
        this.caller = caller;
        this.metrics = metrics;
        metrics.started();
    }

    /** Ends the exchange with a {@link TimeoutException} unless it ends first: waiting for a stream counts. */
    void timeOutAfter(Duration timeout, Timer timers) {
        timer = timers.newTimeout(
                expired -> {
                    if (end()) {
                        metrics.failed(System.nanoTime() - startedAt, ApiError.TIMEOUT);
                        caller.error(unlessWritten(
                                new TimeoutException("no answer from the API within " + timeout.toMillis() + " ms")));
                        Runnable reset = resetStream;
                        if (reset != null) {
                            reset.run();
                        }
                    }
                },
                timeout.toNanos(),
                TimeUnit.NANOSECONDS);
    }

    /** The request is on a connection now; {@code reset} frees its stream (or connection) if it times out. */
    void onStream(Runnable reset) {
        resetStream = reset;
    }

    /** Response headers (the first block, or trailers); 1xx blocks are skipped. */
    void headers(Http2Headers headers) {
        if (status == 0 && headers.status() != null) {
            int code = statusCode(headers.status());
            if (code < 200) {
                return;
            }
            status = code;
        }
        for (Map.Entry<CharSequence, CharSequence> header : headers) {
            if (header.getKey().length() > 0 && header.getKey().charAt(0) != ':') {
                responseHeaders.add(header.getKey(), header.getValue());
            }
        }
    }

    /** The three digits of {@code :status}, or 0 when it is not that (the response then fails). */
    private static int statusCode(CharSequence value) {
        if (value.length() != 3) {
            return 0;
        }
        int code = 0;
        for (int i = 0; i < 3; i++) {
            char digit = value.charAt(i);
            if (digit < '0' || digit > '9') {
                return 0;
            }
            code = code * 10 + digit - '0';
        }
        return code;
    }

    /** A piece of the response body; {@code false} when the body is larger than this client takes. */
    boolean data(ByteBuf data) {
        int length = data.readableBytes();
        if (responseBody.length + length > MAX_RESPONSE_BODY) {
            return false;
        }
        byte[] joined = Arrays.copyOf(responseBody, responseBody.length + length);
        data.getBytes(data.readerIndex(), joined, responseBody.length, length);
        responseBody = joined;
        return true;
    }

    /** A whole HTTP/1.1 response (its body within {@link #MAX_RESPONSE_BODY}): the exchange succeeds with it. */
    void succeed(int status, HttpHeaders headers, ByteBuf body) {
        this.status = status;
        responseHeaders.set(headers);
        responseBody = ByteBufUtil.getBytes(body);
        succeed();
    }

    void succeed() {
        if (status == 0) {
            fail(new IOException("the API ended its response without a status"));
        } else if (end()) {
            metrics.responded(System.nanoTime() - startedAt, status);
            caller.success(new ApiResponse(status, responseHeaders, responseBody));
        }
    }

    /** The whole request is on its way: written to the connection (not necessarily read by the API). */
    void written() {
        written = true;
    }

    /**
     * The exchange failed. Before the whole request was written, the API cannot have taken it, and the failure says
     * so ({@link RequestNotSentException}); after, it may have.
     */
    void fail(Throwable error) {
        if (end()) {
            metrics.failed(System.nanoTime() - startedAt, ApiError.of(error));
            caller.error(unlessWritten(error));
        }
    }

    /**
     * The API refused the request before processing it, though it was written: a stream refused
     * ({@code REFUSED_STREAM}), or one above the last a {@code GOAWAY} says the API will process (RFC 9113 8.7).
     */
    void refused(String why) {
        if (end()) {
            metrics.failed(System.nanoTime() - startedAt, ApiError.IO);
            caller.error(new RequestNotSentException(why, null));
        }
    }

    private Throwable unlessWritten(Throwable error) {
        return written ? error : new RequestNotSentException("the request was not written whole", error);
    }

    boolean isEnded() {
        return ended.get();
    }

    private boolean end() {
        if (!ended.compareAndSet(false, true)) {
            return false;
        }
        Timeout pending = timer;
        if (pending != null) {
            pending.cancel();
        }
        return true;
    }
}
