package io.cakemail.gateway.load;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslContext;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
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
    private final Map<Integer, byte[]> bodies = new ConcurrentHashMap<>();
    private final Map<Integer, ByteBuf> groups = new ConcurrentHashMap<>();
    private final Queue<SmtpLoadConnection> idle = new ConcurrentLinkedQueue<>();
    private final AtomicLong permits = new AtomicLong();
    private volatile boolean stopped;

    LoadRun(LoadOptions options, EventLoopGroup group, Class<? extends Channel> channelType, SslContext tls) {
        this.options = options;
        this.group = group;
        this.tls = tls;
        boolean implicit = options.tls().equals("implicit");
        this.bootstrap = new Bootstrap().group(group).channel(channelType)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (implicit) {
                            ch.pipeline().addLast("tls", tls.newHandler(ch.alloc()));
                        }
                        ch.pipeline().addLast(new ReplyCodeDecoder(), new SmtpLoadConnection(LoadRun.this, implicit));
                    }
                });
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
            group.next().scheduleAtFixedRate(() -> {
                carry[0] += perTick;
                long whole = (long) carry[0];
                carry[0] -= whole;
                permits.addAndGet(whole);
                dispatch();
            }, 1, 1, TimeUnit.MILLISECONDS);
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
            StringBuilder commands = new StringBuilder("MAIL FROM:<").append(options.from()).append(">\r\n");
            for (int i = 0; i < n; i++) {
                commands.append("RCPT TO:<rcpt").append(i).append("@example.net>\r\n");
            }
            byte[] bytes = commands.append("DATA\r\n").toString().getBytes(StandardCharsets.US_ASCII);
            return Unpooled.directBuffer(bytes.length).writeBytes(bytes);
        }).retainedDuplicate();
    }

    /** The shared body of {@code size} octets: lines of text ending with CRLF. */
    byte[] body(int size) {
        return bodies.computeIfAbsent(size, s -> {
            StringBuilder text = new StringBuilder(s + LINE.length());
            while (text.length() + LINE.length() <= s) {
                text.append(LINE);
            }
            int rest = s - text.length();
            if (rest >= 2) {
                text.append("x".repeat(rest - 2)).append("\r\n");
            }
            return text.toString().getBytes(StandardCharsets.US_ASCII);
        });
    }

    /** Releases the command buffers; once the run's event loops have stopped, so no write still holds them. */
    void release() {
        groups.values().forEach(ByteBuf::release);
        groups.clear();
    }

    private void connect() {
        bootstrap.connect(options.host(), options.port()).addListener(future -> {
            if (!future.isSuccess()) {
                Throwable cause = future.cause();  // Netty's AnnotatedConnectException counts as a ConnectException
                Class<?> kind = cause instanceof ConnectException ? ConnectException.class : cause.getClass();
                stats.failed("connect: " + kind.getSimpleName());
                if (!stopped) {
                    group.schedule(this::connect, 100, TimeUnit.MILLISECONDS);
                }
            }
        });
    }
}
