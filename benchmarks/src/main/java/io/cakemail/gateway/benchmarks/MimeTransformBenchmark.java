package io.cakemail.gateway.benchmarks;

import io.cakemail.gateway.core.json.SubmissionBody;
import io.cakemail.gateway.core.json.SubmissionJson;
import io.cakemail.gateway.core.mime.MimeHeaders;
import io.cakemail.gateway.core.mime.MimeLimits;
import io.cakemail.gateway.core.mime.MimeParser;
import io.cakemail.gateway.core.mime.MimeViolation;
import io.cakemail.gateway.core.transform.MessageTransformer;
import io.cakemail.gateway.core.transform.ParsedMessage;
import io.cakemail.gateway.core.transform.TransformConfig;
import io.cakemail.gateway.core.transform.TransformResult;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.apache.james.mime4j.MimeException;
import org.apache.james.mime4j.parser.AbstractContentHandler;
import org.apache.james.mime4j.parser.MimeStreamParser;
import org.apache.james.mime4j.stream.BodyDescriptor;
import org.apache.james.mime4j.stream.MimeConfig;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The MIME path, one message per operation, three ways in the same run:
 * <ul>
 *   <li>{@code mime4jParse}: Apache James mime4j's {@code MimeStreamParser} with content decoding on, reading
 *       every decoded body to its end (the reference);</li>
 *   <li>{@code parse}: this project's {@link MimeParser}, fed 16 KiB chunks as SMTP delivers them, every part
 *       decoded from its transfer encoding and dropped;</li>
 *   <li>{@code transformWithoutJson}: the transformer, parse plus bodies to UTF-8, attachments to base64;</li>
 *   <li>{@code transform}: the whole transform, the transformer and the {@code SubmitEmail} JSON written once;</li>
 *   <li>{@code json}: only the JSON of an already transformed message.</li>
 * </ul>
 * The {@code bytes} counter is message octets per second (divide by 1e6 for MB/s).
 */
@State(Scope.Thread)
public class MimeTransformBenchmark extends GatewayBenchmark {

    private static final int CHUNK = 16 * 1024;
    private static final ByteBufAllocator ALLOCATOR = PooledByteBufAllocator.DEFAULT;

    @Param({"plain", "newsletter", "pdf5m"})
    public String message;

    private byte[] bytes;
    private ParsedMessage parsed;
    private final List<ByteBuf> chunks = new ArrayList<>();
    private final byte[] sink = new byte[64 * 1024];

    @Setup(Level.Trial)
    public void setUp() {
        bytes = MimeMessages.byName(message);
        for (int from = 0; from < bytes.length; from += CHUNK) {
            int length = Math.min(CHUNK, bytes.length - from);
            chunks.add(ALLOCATOR.directBuffer(length).writeBytes(bytes, from, length));
        }
        parsed = transformOnly();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        chunks.forEach(ByteBuf::release);
        if (parsed != null) {
            parsed.release();
        }
    }

    @Benchmark
    public long mime4jParse(Octets octets) throws IOException, MimeException {
        long[] decoded = {0};
        MimeStreamParser parser = new MimeStreamParser(MimeConfig.PERMISSIVE);
        parser.setContentDecoding(true);
        parser.setContentHandler(new AbstractContentHandler() {
            @Override
            public void body(BodyDescriptor descriptor, InputStream in) throws IOException {
                for (int n; (n = in.read(sink)) > 0; ) {
                    decoded[0] += n;
                }
            }
        });
        parser.parse(new ByteArrayInputStream(bytes));
        octets.bytes += bytes.length;
        return decoded[0];
    }

    @Benchmark
    public long parse(Octets octets) {
        DecodedCounter counter = new DecodedCounter();
        try (MimeParser parser = new MimeParser(MimeLimits.DEFAULT, counter, ALLOCATOR)) {
            for (ByteBuf chunk : chunks) {
                parser.feed(chunk);
            }
            parser.finish();
        }
        octets.bytes += bytes.length;
        return counter.decoded;
    }

    @Benchmark
    public int transformWithoutJson(Octets octets) {
        ParsedMessage parsed = transformOnly();
        int attachments = parsed.attachments().size();
        parsed.release();
        octets.bytes += bytes.length;
        return attachments;
    }

    @Benchmark
    public int transform(Octets octets) {
        ParsedMessage parsed = transformOnly();
        SubmissionBody body = SubmissionJson.write(parsed, "sender-1", "transactional", null);
        parsed.release();
        int size = body.sharedSize();
        body.release();
        octets.bytes += bytes.length;
        return size;
    }

    @Benchmark
    public int json(Octets octets) {
        SubmissionBody body = SubmissionJson.write(parsed, "sender-1", "transactional", null);
        int size = body.sharedSize();
        body.release();
        octets.bytes += bytes.length;
        return size;
    }

    private ParsedMessage transformOnly() {
        try (MessageTransformer transformer = new MessageTransformer(TransformConfig.DEFAULT, ALLOCATOR)) {
            for (ByteBuf chunk : chunks) {
                transformer.feed(chunk);
            }
            return ((TransformResult.Transformed) transformer.finish()).message();
        }
    }

    /** Counts decoded octets and keeps nothing. */
    private static final class DecodedCounter implements MimeParser.Handler {
        long decoded;

        @Override
        public void startPart(MimeHeaders headers, int depth) {}

        @Override
        public void content(ByteBuf content) {
            decoded += content.readableBytes();
        }

        @Override
        public void endPart() {}

        @Override
        public void violation(MimeViolation violation) {
            throw new IllegalStateException(violation.reason());
        }
    }
}
