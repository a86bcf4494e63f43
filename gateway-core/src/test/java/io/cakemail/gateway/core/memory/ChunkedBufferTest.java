package io.cakemail.gateway.core.memory;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What {@link ChunkedBuffer} hands back: the bytes in the order written, as one plain buffer while they fit in the
 * first chunk, and large appended buffers as views rather than copies.
 */
class ChunkedBufferTest {

    private final ByteBufAllocator allocator = new UnpooledByteBufAllocator(false);

    @Test
    void aSmallResultIsOnePlainBufferEvenWithSomethingSmallAppended() {
        ChunkedBuffer out = new ChunkedBuffer(MessageMemory.unlimited(allocator));
        ByteBuf small = ascii("b".repeat(ChunkedBuffer.APPEND_COPY_LIMIT - 1));
        out.write('a');
        out.append(small);
        out.write('c');
        ByteBuf result = out.finish();
        assertThat(result).isNotInstanceOf(CompositeByteBuf.class);
        assertThat(text(result)).isEqualTo("a" + "b".repeat(ChunkedBuffer.APPEND_COPY_LIMIT - 1) + "c");
        assertThat(small.refCnt()).as("copied, not held").isEqualTo(1);
        result.release();
        small.release();
    }

    @Test
    void aLargeAppendedBufferIsAViewNotACopy() {
        ChunkedBuffer out = new ChunkedBuffer(MessageMemory.unlimited(allocator));
        ByteBuf large = ascii("b".repeat(ChunkedBuffer.APPEND_COPY_LIMIT));
        out.write('a');
        out.append(large);
        out.write('c');
        ByteBuf result = out.finish();
        assertThat(result).isInstanceOf(CompositeByteBuf.class);
        assertThat(large.refCnt()).as("held by the result").isEqualTo(2);
        assertThat(text(result)).isEqualTo("a" + "b".repeat(ChunkedBuffer.APPEND_COPY_LIMIT) + "c");
        result.release();
        assertThat(large.refCnt()).isEqualTo(1);
        large.release();
    }

    @Test
    void growingPastTheFirstChunkKeepsTheOrderAndDrainsChunkByChunk() {
        ChunkedBuffer out = new ChunkedBuffer(MessageMemory.unlimited(allocator));
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 20_000; i++) {
            String piece = i + ",";
            byte[] bytes = piece.getBytes(StandardCharsets.US_ASCII);
            out.write(bytes, 0, bytes.length);
            expected.append(piece);
        }
        List<Integer> chunkSizes = new ArrayList<>();
        StringBuilder drained = new StringBuilder();
        out.drain(chunk -> {
            chunkSizes.add(chunk.readableBytes());
            drained.append(chunk.toString(StandardCharsets.US_ASCII));
        });
        assertThat(drained.toString()).isEqualTo(expected.toString());
        assertThat(chunkSizes).startsWith(4 * 1024, 8 * 1024, 16 * 1024);
    }

    @Test
    void nothingWrittenIsAnEmptyBuffer() {
        ByteBuf result = new ChunkedBuffer(MessageMemory.unlimited(allocator)).finish();
        assertThat(result.readableBytes()).isZero();
        result.release();
    }

    private ByteBuf ascii(String text) {
        return allocator.buffer().writeBytes(text.getBytes(StandardCharsets.US_ASCII));
    }

    private static String text(ByteBuf buf) {
        return buf.toString(StandardCharsets.US_ASCII);
    }
}
