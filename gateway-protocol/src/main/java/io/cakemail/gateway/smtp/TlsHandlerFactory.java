package io.cakemail.gateway.smtp;

import static java.util.Objects.requireNonNull;

import io.netty.channel.Channel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import java.time.Duration;
import java.util.function.Supplier;

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
        return of(() -> context, handshakeTimeout);
    }

    /**
     * Handlers from the context {@code contexts} gives for each new handshake (it may change, when a certificate is
     * renewed), each failing a handshake that takes longer than {@code handshakeTimeout}.
     */
    static TlsHandlerFactory of(Supplier<SslContext> contexts, Duration handshakeTimeout) {
        requireNonNull(contexts, "contexts");
        requireNonNull(handshakeTimeout, "handshakeTimeout");
        return (channel, startTls) -> {
            SslHandler handler = new SslHandler(contexts.get().newEngine(channel.alloc()), startTls);
            handler.setHandshakeTimeoutMillis(handshakeTimeout.toMillis());
            return handler;
        };
    }
}
