package io.cakemail.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Supplier;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * The faults in force, consumed as calls match them. Thread-safe.
 */
public final class Faults {

    private final List<Entry> entries = new ArrayList<>();

    /** Adds a fault; it applies after those added before it. */
    public synchronized void add(Fault fault) {
        entries.add(new Entry(fault, fault.times()));
    }

    public synchronized void clear() {
        entries.clear();
    }

    /** The first fault for this call, counted as used; {@code null} when none applies. */
    synchronized Fault take(String path, String email) {
        for (Iterator<Entry> it = entries.iterator(); it.hasNext(); ) {
            Entry entry = it.next();
            if (entry.fault.matches(path, email)) {
                if (entry.left > 0 && --entry.left == 0) {
                    it.remove();
                }
                return entry.fault;
            }
        }
        return null;
    }

    /** Answers {@code request} as the first fault for its path says, or as {@code normal} when none applies. */
    Mono<Void> answer(HttpServerRequest request, HttpServerResponse response, Supplier<Mono<Void>> normal) {
        return answer(request, response, take(request, null), normal);
    }

    /** The first fault for this request (and recipient, when not {@code null}), counted as used, or {@code null}. */
    Fault take(HttpServerRequest request, String email) {
        return take(new QueryStringDecoder(request.uri()).path(), email);
    }

    /**
     * Answers {@code request} as {@code fault} says, or as {@code normal} when it is {@code null} or only a delay
     * (after that delay).
     */
    static Mono<Void> answer(
            HttpServerRequest request, HttpServerResponse response, Fault fault, Supplier<Mono<Void>> normal) {
        if (fault == null) {
            return Mono.defer(normal);
        }
        Mono<Void> answer;
        if (fault.reset()) {
            answer = Mono.fromRunnable(() ->
                    request.withConnection(connection -> connection.channel().close()));
        } else if (fault.status() > 0) {
            if (fault.retryAfter() != null) {
                response.header(HttpHeaderNames.RETRY_AFTER, String.valueOf(fault.retryAfter()));
            }
            answer = Mono.defer(() -> Answers.json(response, fault.status(), body(fault)));
        } else {
            answer = Mono.defer(normal);
        }
        return fault.delayMillis() > 0
                ? Mono.delay(Duration.ofMillis(fault.delayMillis())).then(answer)
                : answer;
    }

    /** The fault's body: its own JSON, its text as a {@code detail}, or the status's reason phrase. */
    private static JsonNode body(Fault fault) {
        if (fault.body() == null) {
            return Answers.JSON
                    .createObjectNode()
                    .put("detail", HttpResponseStatus.valueOf(fault.status()).reasonPhrase());
        }
        try {
            return Answers.JSON.readTree(fault.body());
        } catch (IOException e) {
            return Answers.JSON.createObjectNode().put("detail", fault.body());
        }
    }

    private static final class Entry {
        final Fault fault;
        int left;

        Entry(Fault fault, int left) {
            this.fault = fault;
            this.left = left;
        }
    }
}
