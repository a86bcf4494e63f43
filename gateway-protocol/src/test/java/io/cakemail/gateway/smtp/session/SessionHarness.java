package io.cakemail.gateway.smtp.session;

import io.cakemail.gateway.smtp.MessageReceiver;
import io.cakemail.gateway.smtp.SmtpAuthenticator;
import io.cakemail.gateway.smtp.SmtpChannelInitializer;
import io.cakemail.gateway.smtp.SmtpServerConfig;
import io.cakemail.gateway.smtp.SmtpServices;
import io.cakemail.gateway.smtp.TlsMode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * An SMTP session in an {@link EmbeddedChannel}: write client text in, read the server's replies out.
 */
final class SessionHarness {

    final EmbeddedChannel channel;

    SessionHarness(SmtpServerConfig config, SmtpAuthenticator authenticator, MessageReceiver receiver) {
        this(config, SmtpServices.of(authenticator, receiver));
    }

    SessionHarness(SmtpServerConfig config, SmtpServices services) {
        channel = new EmbeddedChannel(new SmtpChannelInitializer(config, services, TlsMode.NONE, null));
    }

    /** Sends {@code text} as one read and returns everything the server wrote since the last call. */
    String send(String text) {
        return send(text.getBytes(StandardCharsets.UTF_8));
    }

    String send(byte[] bytes) {
        channel.writeInbound(Unpooled.wrappedBuffer(bytes));
        return replies();
    }

    /** Runs tasks the session queued (asynchronous answers) and returns what it wrote. */
    String runPendingTasks() {
        channel.runPendingTasks();
        return replies();
    }

    /** Each buffer the server wrote since the last call, as text: one per write. */
    List<String> writes() {
        List<String> writes = new ArrayList<>();
        for (ByteBuf buf; (buf = channel.readOutbound()) != null; ) {
            writes.add(buf.toString(StandardCharsets.UTF_8));
            buf.release();
        }
        return writes;
    }

    String replies() {
        return String.join("", writes());
    }

    boolean isOpen() {
        return channel.isOpen();
    }

    void close() {
        channel.finishAndReleaseAll();
    }
}
