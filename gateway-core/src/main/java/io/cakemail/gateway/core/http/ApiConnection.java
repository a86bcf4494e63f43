package io.cakemail.gateway.core.http;

/**
 * A connection to the API that carries exchanges: {@link Http2ApiConnection} (a stream each, many at once) or
 * {@link Http11ApiConnection} (one at a time). Used on its event loop only. Each exchange started, whatever becomes
 * of it, is reported freed exactly once to the callback the connection was made with.
 */
interface ApiConnection {

    /** Whether an exchange may start now. */
    boolean canStart();

    /** Sends the exchange's request; its response (or failure) ends the exchange. */
    void start(ApiExchange exchange);

    /** How many exchanges it carries at once, at most. */
    int capacity();
}
