package io.cakemail.gateway.smtp;

import static java.util.Objects.requireNonNull;

import io.cakemail.gateway.smtp.codec.SmtpRequestDecoder;
import io.cakemail.gateway.smtp.session.SmtpServerHandler;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;

/**
 * Installs an SMTP server session on a new connection:
 * {@code [tls] → idle → smtp-decoder → smtp-session}, with the channel's write buffer water marks set to
 * {@value #LOW_WATER_MARK} and {@value #HIGH_WATER_MARK} octets: replies are small, a well-behaved client reads them
 * long before they reach the high mark, and a client that does not read costs the session no more than that.
 */
public final class SmtpChannelInitializer extends ChannelInitializer<Channel> {

    static final int LOW_WATER_MARK = 8 * 1024;
    public static final int HIGH_WATER_MARK = 32 * 1024;

    private final SmtpServerConfig config;
    private final SmtpServices services;
    private final TlsMode tlsMode;
    private final TlsHandlerFactory tls;

    /**
     * @param tls makes the TLS handlers; may be {@code null} only with {@link TlsMode#NONE}
     */
    public SmtpChannelInitializer(
            SmtpServerConfig config, SmtpServices services, TlsMode tlsMode, TlsHandlerFactory tls) {
        this.config = requireNonNull(config, "config");
        this.services = requireNonNull(services, "services");
        this.tlsMode = requireNonNull(tlsMode, "tlsMode");
        if (tls == null && tlsMode != TlsMode.NONE) {
            throw new IllegalArgumentException("tls: null (expected: a factory for " + tlsMode + ')');
        }
        this.tls = tls;
    }

    @Override
    protected void initChannel(Channel ch) {
        ch.config().setWriteBufferWaterMark(new WriteBufferWaterMark(LOW_WATER_MARK, HIGH_WATER_MARK));
        ChannelPipeline pipeline = ch.pipeline();
        if (tlsMode == TlsMode.IMPLICIT) {
            pipeline.addLast("tls", tls.newHandler(ch, false));
        }
        SmtpRequestDecoder decoder = new SmtpRequestDecoder(config);
        pipeline.addLast("idle", new IdleStateHandler(config.idleTimeout().toMillis(), 0, 0, TimeUnit.MILLISECONDS));
        pipeline.addLast("smtp-decoder", decoder);
        pipeline.addLast(
                "smtp-session",
                new SmtpServerHandler(config, services, decoder, tlsMode == TlsMode.STARTTLS ? tls : null));
    }
}
