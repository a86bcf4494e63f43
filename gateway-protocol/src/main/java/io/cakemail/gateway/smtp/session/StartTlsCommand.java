package io.cakemail.gateway.smtp.session;

import io.cakemail.gateway.common.SessionLog;
import io.cakemail.gateway.smtp.SmtpReplies;
import io.cakemail.gateway.smtp.TlsHandlerFactory;
import io.cakemail.gateway.smtp.TlsInfo;
import io.cakemail.gateway.smtp.codec.SmtpRequestDecoder;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import javax.net.ssl.SSLSession;

/**
 * STARTTLS for one session (RFC 3207), by the recipe of {@link SslHandler}'s javadoc: the handler goes in before the
 * {@code 220}, which leaves in plaintext; whatever the client pipelined after STARTTLS was sent in the clear and is
 * dropped; the client greets and logs in again. The handshake's end tells the session its protocol and cipher.
 */
final class StartTlsCommand {

    private static final SessionLog log = SessionLog.of(SmtpServerHandler.class);

    private final SmtpServerHandler session;
    /** Makes the handler, or {@code null} when STARTTLS is not offered. */
    private final TlsHandlerFactory tls;

    private final ClientState client;
    private final SmtpRequestDecoder decoder;

    StartTlsCommand(SmtpServerHandler session, TlsHandlerFactory tls, ClientState client, SmtpRequestDecoder decoder) {
        this.session = session;
        this.tls = tls;
        this.client = client;
        this.decoder = decoder;
    }

    /** Whether STARTTLS is offered now: on a plaintext connection that has one to start. */
    boolean offered() {
        return tls != null && client.tls == null;
    }

    /**
     * Starts TLS: {@code before} writes the replies to the commands before STARTTLS (they leave in plaintext too,
     * before the handler), and the {@code 220} follows.
     */
    void start(ChannelHandlerContext ctx, String argument, Runnable before) {
        if (tls == null) {
            throw new SmtpReplyException(SmtpReplies.NOT_IMPLEMENTED);
        }
        if (client.tls != null) {
            throw new SmtpReplyException(SmtpReplies.TLS_ALREADY_ACTIVE);
        }
        SmtpServerHandler.requireNoArgument(argument);
        before.run();
        ctx.pipeline().addFirst("tls", tls.newHandler(ctx.channel(), true));
        decoder.discardBufferedInput();
        client.forgetGreetingAndLogin();
    }

    void handshakeEnded(ChannelHandlerContext ctx, SslHandshakeCompletionEvent handshake) {
        if (handshake.isSuccess()) {
            SSLSession tlsSession =
                    ctx.pipeline().get(SslHandler.class).engine().getSession();
            client.tls = new TlsInfo(tlsSession.getProtocol(), tlsSession.getCipherSuite());
            log.debug(session.id(), "TLS established: {} {}", client.tls.protocol(), client.tls.cipherSuite());
        } else {
            log.debug(
                    session.id(), "TLS handshake failed: {}", handshake.cause().toString());
        }
    }
}
