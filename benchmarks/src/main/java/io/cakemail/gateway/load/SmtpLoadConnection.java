package io.cakemail.gateway.load;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.ssl.SslHandler;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One client connection of the load: greeting, EHLO, STARTTLS if asked, AUTH PLAIN, then messages, each as a
 * pipelined MAIL, RCPT and DATA group followed by the content, timed from the end of the content to the reply.
 * Commands are written as text, the group from a buffer prepared once per recipient count; replies arrive as their
 * codes ({@link ReplyCodeDecoder}).
 */
final class SmtpLoadConnection extends SimpleChannelInboundHandler<Integer> {

    private static final AtomicLong MESSAGE_IDS = new AtomicLong();
    private static final byte[] END_OF_DATA = {'.', '\r', '\n'};

    private enum Step {
        GREETING,
        EHLO,
        STARTTLS,
        AUTH,
        IDLE,
        GROUP,
        CONTENT,
        QUIT
    }

    private final LoadRun run;
    private Channel channel;
    private Step step = Step.GREETING;
    private boolean tlsActive;
    private int sent;
    private int groupReplies;
    private boolean groupFailed;
    private int recipientCount;
    private int size;
    private long contentSent;

    SmtpLoadConnection(LoadRun run, boolean implicitTls) {
        this.run = run;
        this.tlsActive = implicitTls;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        run.connectionClosed(this, step != Step.QUIT);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Integer reply) {
        int code = reply;
        switch (step) {
            case GREETING -> expect(code, 220, () -> send(Step.EHLO, "EHLO load.example"));
            case EHLO -> expect(code, 250, this::afterEhlo);
            case STARTTLS -> expect(code, 220, this::upgrade);
            case AUTH ->
                expect(code, 235, () -> {
                    run.stats().authenticated();
                    ready();
                });
            case GROUP -> group(code);
            case CONTENT -> finished(code);
            default -> {
                // replies after QUIT
            }
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        run.stats().failed("connection: " + cause.getClass().getSimpleName());
        ctx.close();
    }

    private void afterEhlo() {
        if (run.options().tls().equals("starttls") && !tlsActive) {
            send(Step.STARTTLS, "STARTTLS");
        } else if (run.options().username() != null) {
            String plain = Base64.getEncoder()
                    .encodeToString(("\0" + run.options().username() + "\0"
                                    + run.options().password())
                            .getBytes(StandardCharsets.UTF_8));
            send(Step.AUTH, "AUTH PLAIN " + plain);
        } else {
            ready();
        }
    }

    private void upgrade() {
        SslHandler ssl = run.tls().newHandler(channel.alloc());
        channel.pipeline().addFirst("tls", ssl);
        ssl.handshakeFuture().addListener(done -> {
            if (done.isSuccess()) {
                tlsActive = true;
                send(Step.EHLO, "EHLO load.example");
            }
        });
    }

    /** Ready for a message: sends one now (closed model) or when the schedule allows (open model). */
    void ready() {
        step = Step.IDLE;
        if (run.options().idle() && !run.stopped()) {
            return;
        }
        if (run.stopped() || sent >= run.options().messagesPerConnection()) {
            send(Step.QUIT, "QUIT");
            channel.close();
            return;
        }
        run.idle(this);
    }

    /** Starts a message; called on this connection's event loop. */
    void sendMessage() {
        recipientCount = run.options().recipients().next();
        size = run.options().sizes().next();
        groupReplies = 0;
        groupFailed = false;
        step = Step.GROUP;
        channel.writeAndFlush(run.group(recipientCount));
    }

    private void group(int code) {
        groupReplies++;
        boolean last = groupReplies == recipientCount + 2;
        if (!last) {
            if (code >= 400 && !groupFailed) {
                groupFailed = true;
                run.stats().failed(String.valueOf(code));
            }
            return;
        }
        if (code != 354) {
            if (!groupFailed) {
                run.stats().failed(String.valueOf(code));
            }
            sent++;
            ready();
            return;
        }
        step = Step.CONTENT;
        String header = "From: " + run.options().from() + "\r\nTo: rcpt0@example.net\r\nSubject: Load test\r\n"
                + "Message-ID: <" + MESSAGE_IDS.incrementAndGet() + "." + System.nanoTime()
                + "@load.example>\r\n";
        byte[] body = run.body(size);
        ByteBuf content = channel.alloc().directBuffer(header.length() + body.length + END_OF_DATA.length);
        content.writeCharSequence(header, StandardCharsets.US_ASCII);
        content.writeBytes(body).writeBytes(END_OF_DATA);
        channel.writeAndFlush(content);
        contentSent = System.nanoTime();
    }

    private void finished(int code) {
        sent++;
        long now = System.nanoTime();
        if (code == 250 && !groupFailed) {
            run.stats().accepted(now - contentSent, recipientCount);
        } else if (!groupFailed) {
            run.stats().failed(String.valueOf(code));
        }
        ready();
    }

    private void expect(int code, int expected, Runnable next) {
        if (code == expected) {
            next.run();
        } else {
            run.stats().failed("setup " + code);
            step = Step.QUIT;
            channel.close();
        }
    }

    private void send(Step next, String command) {
        step = next;
        channel.writeAndFlush(ByteBufUtil.writeAscii(channel.alloc(), command + "\r\n"));
    }

    Channel channel() {
        return channel;
    }
}
