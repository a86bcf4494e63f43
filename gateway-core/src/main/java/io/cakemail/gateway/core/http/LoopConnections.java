package io.cakemail.gateway.core.http;

import io.cakemail.gateway.core.api.ApiConfig;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.handler.timeout.IdleStateHandler;
import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The API connections of one event loop, and the exchanges waiting for room on them. Everything here runs on that
 * loop, so nothing is locked or shared with another loop (Armeria's {@code HttpClientFactory} keeps a pool per
 * event loop the same way): a request made on the loop, which is where the SMTP session that makes it runs, and
 * its answer never change threads.
 *
 * <p>An exchange goes to the first connection with room, else to a new connection while there are fewer than the
 * loop's share of the configured maximum, else waits in order for room.
 */
final class LoopConnections {

    /** How long a connection without exchanges may stay quiet before it is closed. */
    private static final Duration IDLE = Duration.ofSeconds(60);

    private final EventLoop loop;
    private final ApiConnector connector;
    private final ApiConfig config;
    private final int maxConnections;
    private final List<Slot> slots = new ArrayList<>();
    private final Deque<ApiExchange> waiting = new ArrayDeque<>();
    /** The API answered the last connection in HTTP/1.1: a connection still opening is expected to carry one. */
    private boolean http11;

    private boolean closed;

    LoopConnections(EventLoop loop, ApiConnector connector, ApiConfig config, int maxConnections) {
        this.loop = loop;
        this.connector = connector;
        this.config = config;
        this.maxConnections = maxConnections;
    }

    EventLoop loop() {
        return loop;
    }

    /** Sends {@code exchange} on this loop's connections; from any thread. */
    void submit(ApiExchange exchange) {
        if (loop.inEventLoop()) {
            dispatch(exchange);
            return;
        }
        try {
            loop.execute(() -> dispatch(exchange));
        } catch (RejectedExecutionException e) {
            exchange.fail(new IOException("the API client is closed"));
        }
    }

    /** Fails what waits and closes the connections; from any thread. */
    void close() {
        try {
            loop.execute(this::closeOnLoop);
        } catch (RejectedExecutionException e) {
            // the loop has stopped, and its connections with it
        }
    }

    private void dispatch(ApiExchange exchange) {
        if (closed) {
            exchange.fail(new IOException("the API client is closed"));
        } else if (!exchange.isEnded()) {
            Slot slot = freeSlot();
            if (slot == null) {
                waiting.add(exchange);
            } else {
                slot.start(exchange);
            }
        }
    }

    /** A connection with room, or a new one if the loop may open one, or {@code null}. */
    private Slot freeSlot() {
        for (Slot slot : slots) {
            if (slot.accepts()) {
                return slot;
            }
        }
        if (slots.size() >= maxConnections) {
            return null;
        }
        Slot slot = new Slot();
        slots.add(slot);
        connector.connect(loop, slot);
        return slot;
    }

    /** Gives waiting exchanges to connections with room, opening connections while the loop may. */
    private void placeWaiting() {
        while (!waiting.isEmpty()) {
            Slot slot = freeSlot();
            if (slot == null) {
                return;
            }
            ApiExchange next = waiting.poll();
            if (!next.isEnded()) {
                slot.start(next);
            }
        }
    }

    /** An exchange on {@code slot} ended: the first waiting ones take its room. */
    private void freed(Slot slot) {
        slot.active--;
        while (slot.accepts() && !waiting.isEmpty()) {
            ApiExchange next = waiting.poll();
            if (!next.isEnded()) {
                slot.start(next);
            }
        }
    }

    private void gone(Slot slot, Throwable cause) {
        slots.remove(slot);
        slot.failQueued(cause);
        List<ApiExchange> retry = new ArrayList<>(waiting);
        waiting.clear();
        retry.forEach(this::dispatch);
    }

    private void closeOnLoop() {
        closed = true;
        IOException closing = new IOException("the API client is closed");
        waiting.forEach(exchange -> exchange.fail(closing));
        waiting.clear();
        new ArrayList<>(slots).forEach(slot -> slot.close(closing));
    }

    /** One connection: opening, then carrying exchanges, until it closes. */
    private final class Slot implements ApiConnector.Listener {
        /** Exchanges given to this connection: in flight, or queued until it is ready. */
        int active;

        private Channel channel;
        private ApiConnection connection;
        /** Exchanges that arrived before the connection was ready. */
        private final List<ApiExchange> queued = new ArrayList<>();

        private boolean failed;

        /** Whether to give this connection another exchange. */
        boolean accepts() {
            int capacity = connection != null ? connection.capacity() : http11 ? 1 : config.maxConcurrentStreams();
            return !failed
                    && active < Math.min(capacity, config.maxConcurrentStreams())
                    && (connection == null || connection.canStart());
        }

        void start(ApiExchange exchange) {
            active++;
            if (failed) {
                exchange.fail(new ConnectException("the connection to the API failed"));
                freed(this);
            } else if (connection == null) {
                queued.add(exchange);
            } else {
                connection.start(exchange);
            }
        }

        @Override
        public void connected(Channel ch, boolean http2) {
            if (closed || failed) {
                ch.close();
                return;
            }
            channel = ch;
            http11 = !http2;
            Runnable onFreed = () -> freed(this);
            if (http2) {
                Http2ApiConnection h2 = Http2ApiConnection.create(config.maxConcurrentStreams(), onFreed);
                ch.pipeline()
                        .addLast(
                                new IdleStateHandler(
                                        config.pingAfterQuiet().toMillis(), 0, IDLE.toMillis(), TimeUnit.MILLISECONDS),
                                h2);
                connection = h2;
            } else {
                connection = Http11ApiConnection.install(ch.pipeline(), IDLE, onFreed);
            }
            List<ApiExchange> early = new ArrayList<>(queued);
            queued.clear();
            int room = connection.capacity();
            for (int i = early.size() - 1; i >= room; i--) {
                active--; // more than an HTTP/1.1 connection carries: back to wait, first in line
                waiting.addFirst(early.get(i));
            }
            early.subList(0, Math.min(room, early.size())).forEach(connection::start);
            placeWaiting();
        }

        @Override
        public void failed(Throwable cause) {
            if (!failed) {
                failed = true;
                gone(this, cause);
            }
        }

        void failQueued(Throwable cause) {
            List<ApiExchange> early = new ArrayList<>(queued);
            queued.clear();
            early.forEach(exchange -> exchange.fail(cause));
        }

        void close(Throwable cause) {
            failQueued(cause);
            if (channel != null) {
                channel.close();
            }
        }
    }
}
