package io.cakemail.gateway.load;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslContext;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The shared state of one load run: the connections, the message bodies, the schedule of the open model, and the
 * statistics.
 */
final class LoadRun {

    private static final String LINE = "The quick brown fox jumps over the lazy dog, again and again and again.\r\n";

    private final LoadOptions options;
    private final EventLoopGroup group;
    private final SslContext tls;
    private final LoadStats stats = new LoadStats();
    private final Bootstrap bootstrap;
    /** The gateway's default limit on a decoded attachment. */
    private static final int MAX_ATTACHMENT = 10 * 1024 * 1024;

    private final Map<Integer, byte[]> bodies = new ConcurrentHashMap<>();
    private final Map<Integer, byte[]> withAttachments = new ConcurrentHashMap<>();
    private final Map<Integer, byte[]> newsletters = new ConcurrentHashMap<>();
    private final AtomicLong contentTurn = new AtomicLong();
    private final Map<Integer, ByteBuf> groups = new ConcurrentHashMap<>();
    private final Queue<SmtpLoadConnection> idle = new ConcurrentLinkedQueue<>();
    private final AtomicLong permits = new AtomicLong();
    private volatile boolean stopped;

    /** The client the next connection's PROXY header names. */
    private final AtomicInteger nextClient = new AtomicInteger();

    LoadRun(LoadOptions options, EventLoopGroup group, Class<? extends Channel> channelType, SslContext tls) {
        this.options = options;
        this.group = group;
        this.tls = tls;
        boolean implicit = options.tls().equals("implicit");
        this.bootstrap = new Bootstrap()
                .group(group)
                .channel(channelType)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (options.proxy()) {
                            ch.pipeline().addLast("proxy", new ProxyHeader(nextClient.getAndIncrement()));
                        }
                        if (implicit) {
                            ch.pipeline().addLast("tls", tls.newHandler(ch.alloc()));
                        }
                        ch.pipeline().addLast(new ReplyCodeDecoder(), new SmtpLoadConnection(LoadRun.this, implicit));
                    }
                });
    }

    /**
     * Writes a PROXY protocol v1 header first thing, naming client {@code n} of 250 (10.0.0.1 to 10.0.0.250), before
     * the TLS handler or the session speak.
     */
    private static final class ProxyHeader extends ChannelInboundHandlerAdapter {
        private final int client;

        ProxyHeader(int n) {
            this.client = n % 250 + 1;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            InetSocketAddress server = (InetSocketAddress) ctx.channel().remoteAddress();
            String header = "PROXY TCP4 10.0.0." + client + " 127.0.0.1 40000 " + server.getPort() + "\r\n";
            ctx.writeAndFlush(Unpooled.copiedBuffer(header, StandardCharsets.US_ASCII));
            ctx.pipeline().remove(this);
            ctx.fireChannelActive();
        }
    }

    LoadOptions options() {
        return options;
    }

    LoadStats stats() {
        return stats;
    }

    SslContext tls() {
        return tls;
    }

    boolean stopped() {
        return stopped;
    }

    /** Opens the configured number of connections and, in the open model, starts the schedule. */
    void start() {
        for (int i = 0; i < options.connections(); i++) {
            connect();
        }
        if (options.rate() > 0) {
            double perTick = options.rate() / 1000.0;
            double[] carry = {0};
            group.next()
                    .scheduleAtFixedRate(
                            () -> {
                                carry[0] += perTick;
                                long whole = (long) carry[0];
                                carry[0] -= whole;
                                permits.addAndGet(whole);
                                dispatch();
                            },
                            1,
                            1,
                            TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Starts measuring. In the open model the messages still owed from the warm-up (a cold JIT falls behind the
     * schedule) are dropped, so the measured rate is the offered rate, not the offered rate plus a catch-up.
     */
    void startMeasuring() {
        permits.set(0);
        stats.startMeasuring();
    }

    /** Open model: messages the schedule has offered that no connection has sent yet. */
    long backlog() {
        return Math.max(0, permits.get());
    }

    void stop() {
        stopped = true;
    }

    /** A connection is ready for its next message. */
    void idle(SmtpLoadConnection connection) {
        if (options.rate() <= 0) {
            connection.sendMessage();
            return;
        }
        idle.add(connection);
        dispatch();
    }

    /** Open model: gives each available permit to an idle connection. */
    private void dispatch() {
        SmtpLoadConnection connection;
        while (permits.get() > 0 && (connection = idle.poll()) != null) {
            if (permits.getAndDecrement() <= 0) {
                permits.incrementAndGet();
                idle.add(connection);
                return;
            }
            SmtpLoadConnection chosen = connection;
            chosen.channel().eventLoop().execute(chosen::sendMessage);
        }
    }

    /** A connection ended; an unexpected end is counted, and a replacement opened while the run lasts. */
    void connectionClosed(SmtpLoadConnection connection, boolean unexpected) {
        idle.remove(connection);
        if (unexpected && !stopped) {
            stats.failed("connection closed");
        }
        if (!stopped) {
            connect();
        }
    }

    /**
     * The pipelined MAIL, RCPT (one per recipient) and DATA commands of a message to {@code recipients}: a retained
     * duplicate of a buffer built once per recipient count, for the caller to write.
     */
    ByteBuf group(int recipients) {
        return groups.computeIfAbsent(recipients, n -> {
                    StringBuilder commands = new StringBuilder("MAIL FROM:<")
                            .append(options.from())
                            .append(">\r\n");
                    for (int i = 0; i < n; i++) {
                        commands.append("RCPT TO:<rcpt").append(i).append("@example.net>\r\n");
                    }
                    byte[] bytes = commands.append("DATA\r\n").toString().getBytes(StandardCharsets.US_ASCII);
                    return Unpooled.directBuffer(bytes.length).writeBytes(bytes);
                })
                .retainedDuplicate();
    }

    /**
     * A shared body of about {@code size} octets, from the blank line after the common header fields on: lines of
     * text, or (as {@link LoadOptions#content} says) a multipart message with PDFs.
     */
    byte[] body(int size) {
        String content = switch (options.content()) {
            case "mixed" -> (contentTurn.getAndIncrement() & 1) == 1 ? "attachment" : "text";
            default -> options.content();
        };
        return switch (content) {
            case "attachment" -> withAttachments.computeIfAbsent(size, LoadRun::withAttachments);
            case "newsletter" -> newsletters.computeIfAbsent(size, LoadRun::newsletter);
            default -> bodies.computeIfAbsent(size, LoadRun::text);
        };
    }

    private static byte[] text(int size) {
        StringBuilder text = new StringBuilder(size + LINE.length()).append("\r\n");
        while (text.length() + LINE.length() <= size) {
            text.append(LINE);
        }
        int rest = size - text.length();
        if (rest >= 2) {
            text.append("x".repeat(rest - 2)).append("\r\n");
        }
        return text.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** A short text and as many PDFs of random octets as {@code size} takes, none over 10 MiB decoded. */
    private static byte[] withAttachments(int size) {
        StringBuilder mime = new StringBuilder(size + 1024)
                .append("MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"load-boundary\"\r\n\r\n")
                .append("--load-boundary\r\nContent-Type: text/plain\r\n\r\nThe report is attached.\r\n");
        Random random = new Random(size);
        int decoded = Math.max(1, (size - mime.length()) / 78 * 57); // 76 base64 characters and CRLF per 57 octets
        for (int part = 1; decoded > 0; part++) {
            byte[] pdf = new byte[Math.min(decoded, MAX_ATTACHMENT)];
            random.nextBytes(pdf);
            decoded -= pdf.length;
            mime.append("--load-boundary\r\nContent-Type: application/pdf; name=\"report-")
                    .append(part)
                    .append(".pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n")
                    .append(Base64.getMimeEncoder().encodeToString(pdf))
                    .append("\r\n");
        }
        return mime.append("--load-boundary--\r\n").toString().getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * A newsletter as mailing tools send one: an HTML part of about {@code size} octets showing two inline images (a
     * logo and a banner, 8 and 16 KiB of random octets, base64) by {@code cid:}, and its text alternative, a quarter
     * of that.
     */
    private static byte[] newsletter(int size) {
        StringBuilder mime = new StringBuilder(size * 2 + 40_000)
                .append("MIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=\"nl-alt\"\r\n\r\n")
                .append("--nl-alt\r\nContent-Type: text/plain; charset=utf-8\r\n")
                .append(new String(text(size / 4), StandardCharsets.US_ASCII))
                .append("--nl-alt\r\nContent-Type: multipart/related; boundary=\"nl-related\"\r\n\r\n")
                .append("--nl-related\r\nContent-Type: text/html; charset=utf-8\r\n\r\n")
                .append("<html><body><img src=\"cid:logo@newsletter\" alt=\"logo\">\r\n");
        int start = mime.length();
        while (mime.length() - start < size) {
            mime.append("<p style=\"font-family:Arial,sans-serif;color:#333\">")
                    .append(LINE, 0, LINE.length() - 2)
                    .append("</p>\r\n");
        }
        mime.append("<img src=\"cid:banner@newsletter\" alt=\"banner\"></body></html>\r\n");
        Random random = new Random(size);
        for (String image : new String[] {"logo", "banner"}) {
            byte[] png = new byte[image.equals("logo") ? 8 * 1024 : 16 * 1024];
            random.nextBytes(png);
            mime.append("--nl-related\r\nContent-Type: image/png\r\nContent-ID: <")
                    .append(image)
                    .append("@newsletter>\r\nContent-Disposition: inline; filename=\"")
                    .append(image)
                    .append(".png\"\r\nContent-Transfer-Encoding: base64\r\n\r\n")
                    .append(Base64.getMimeEncoder().encodeToString(png))
                    .append("\r\n");
        }
        return mime.append("--nl-related--\r\n--nl-alt--\r\n").toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** Releases the command buffers; once the run's event loops have stopped, so no write still holds them. */
    void release() {
        groups.values().forEach(ByteBuf::release);
        groups.clear();
    }

    private void connect() {
        bootstrap.connect(options.host(), options.port()).addListener(future -> {
            if (!future.isSuccess()) {
                Throwable cause = future.cause(); // Netty's AnnotatedConnectException counts as a ConnectException
                Class<?> kind = cause instanceof ConnectException ? ConnectException.class : cause.getClass();
                stats.failed("connect: " + kind.getSimpleName());
                if (!stopped) {
                    group.schedule(this::connect, 100, TimeUnit.MILLISECONDS);
                }
            }
        });
    }
}
