package io.cakemail.gateway.benchmarks;

import io.cakemail.gateway.smtp.AuthResult;
import io.cakemail.gateway.smtp.MessageSink;
import io.cakemail.gateway.smtp.SmtpChannelInitializer;
import io.cakemail.gateway.smtp.SmtpReply;
import io.cakemail.gateway.smtp.SmtpServerConfig;
import io.cakemail.gateway.smtp.SmtpServices;
import io.cakemail.gateway.smtp.TlsMode;
import io.cakemail.gateway.smtp.codec.SmtpRequestDecoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * A typical pipelined submission (EHLO, AUTH PLAIN, MAIL, two RCPT, DATA with 1 KiB, QUIT) in one read:
 * {@code decoder} through {@link SmtpRequestDecoder} alone, {@code session} through the whole engine (decoder,
 * session state machine, SASL, reply encoder) with an authenticator and a receiver that answer at once.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class PipelinedTransactionBenchmark extends GatewayBenchmark {

    private static final SmtpServerConfig CONFIG =
            SmtpServerConfig.builder().tlsRequiredForAuth(false).build();
    private static final CompletableFuture<SmtpReply> QUEUED =
            CompletableFuture.completedFuture(SmtpReply.of(250, "2.0.0", "Queued"));
    private static final CompletableFuture<AuthResult> AUTHENTICATED =
            CompletableFuture.completedFuture(AuthResult.success(() -> "user@example.com"));

    private byte[] transaction;

    @Setup(Level.Trial)
    public void setUp() {
        transaction = Messages.pipelinedTransaction();
    }

    @Benchmark
    public long decoder() {
        SmtpRequestDecoder decoder = new SmtpRequestDecoder(CONFIG);
        ContentCounter counter = new ContentCounter(decoder);
        EmbeddedChannel channel = new EmbeddedChannel(decoder, counter);
        channel.writeInbound(read());
        channel.finishAndReleaseAll();
        return counter.requests() + counter.contentBytes();
    }

    @Benchmark
    public long session() {
        EmbeddedChannel channel = new EmbeddedChannel(new SmtpChannelInitializer(
                CONFIG,
                SmtpServices.of((session, username, password) -> AUTHENTICATED, envelope -> NoopSink.INSTANCE),
                TlsMode.NONE,
                null));
        channel.writeInbound(read());
        long written = 0;
        for (Object reply; (reply = channel.readOutbound()) != null; ) {
            written += ((ByteBuf) reply).readableBytes();
            ReferenceCountUtil.release(reply);
        }
        channel.finishAndReleaseAll();
        return written;
    }

    private ByteBuf read() {
        return PooledByteBufAllocator.DEFAULT.directBuffer(transaction.length).writeBytes(transaction);
    }

    /** Accepts every message without looking at it. */
    private enum NoopSink implements MessageSink {
        INSTANCE;

        @Override
        public void content(ByteBuf chunk) {}

        @Override
        public CompletionStage<SmtpReply> end() {
            return QUEUED;
        }

        @Override
        public void abort() {}
    }
}
