package io.cakemail.gateway.smtp;

import static java.util.Objects.requireNonNull;

import io.netty.channel.Channel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import java.time.Duration;

/**
 * Makes the {@link SslHandler} of a connection: at accept time for implicit TLS, on STARTTLS otherwise.
 */
@FunctionalInterface
public interface TlsHandlerFactory {

    /**
     * @param startTls {@code true} when the handler goes in after a STARTTLS reply that must still leave in
     *                 plaintext
     */
    SslHandler newHandler(Channel channel, boolean startTls);

    /** Handlers from {@code context}, each failing a handshake that takes longer than {@code handshakeTimeout}. */
    static TlsHandlerFactory of(SslContext context, Duration handshakeTimeout) {
        requireNonNull(context, "context");
        requireNonNull(handshakeTimeout, "handshakeTimeout");
        return (channel, startTls) -> {
            SslHandler handler = new SslHandler(context.newEngine(channel.alloc()), startTls);
            handler.setHandshakeTimeoutMillis(handshakeTimeout.toMillis());
            return handler;
        };
    }
}
