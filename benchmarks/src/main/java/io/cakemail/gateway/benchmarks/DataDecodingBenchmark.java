package io.cakemail.gateway.benchmarks;

import io.cakemail.gateway.smtp.SmtpServerConfig;
import io.cakemail.gateway.smtp.codec.SmtpRequestDecoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The DATA path of {@link SmtpRequestDecoder}: one message per operation, {@code DATA} line, dot-stuffed body and
 * {@code CRLF.CRLF}, arriving in chunks of {@code chunkSize} octets copied into pooled direct buffers as a socket
 * read would. {@code copyOnly} is the baseline measured in the same run: the same chunks copied and released,
 * not decoded. The {@code bytes} counter is the body throughput (divide by 1e6 for MB/s).
 */
@State(Scope.Thread)
public class DataDecodingBenchmark extends GatewayBenchmark {

    @Param({"1024", "102400", "10485760"})
    public int messageSize;

    /** 16 KiB is the most a TLS record carries, so what each read hands over under TLS. */
    @Param({"16384"})
    public int chunkSize;

    /** Share of body lines that start with a dot: 0 for typical mail, 5 as a stress case. */
    @Param({"0", "5"})
    public int dotLinePercent;

    private final List<byte[]> chunks = new ArrayList<>();
    private EmbeddedChannel channel;
    private ContentCounter counter;

    @Setup(Level.Trial)
    public void setUp() {
        byte[] message = Messages.dataTransaction(messageSize, dotLinePercent);
        for (int from = 0; from < message.length; from += chunkSize) {
            int to = Math.min(message.length, from + chunkSize);
            byte[] chunk = new byte[to - from];
            System.arraycopy(message, from, chunk, 0, chunk.length);
            chunks.add(chunk);
        }
        SmtpRequestDecoder decoder = new SmtpRequestDecoder(SmtpServerConfig.DEFAULT);
        counter = new ContentCounter(decoder);
        channel = new EmbeddedChannel(decoder, counter);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        channel.finishAndReleaseAll();
    }

    @Benchmark
    public long decode(Octets octets) {
        long before = counter.contentBytes();
        for (byte[] chunk : chunks) {
            channel.writeInbound(read(chunk));
        }
        long decoded = counter.contentBytes() - before;
        octets.bytes += decoded;
        return decoded;
    }

    @Benchmark
    public long copyOnly(Octets octets) {
        long copied = 0;
        for (byte[] chunk : chunks) {
            ByteBuf buf = read(chunk);
            copied += buf.readableBytes();
            buf.release();
        }
        octets.bytes += messageSize;
        return copied;
    }

    private static ByteBuf read(byte[] chunk) {
        return PooledByteBufAllocator.DEFAULT.directBuffer(chunk.length).writeBytes(chunk);
    }
}
