package io.cakemail.gateway.core.transform;

import static org.assertj.core.api.Assertions.assertThat;

import io.cakemail.gateway.core.json.SubmissionBody;
import io.cakemail.gateway.core.json.SubmissionJson;
import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledHeapByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A large message is held once: the buffers alive at any moment, from the first chunk to the request body of a
 * recipient, stay near the size of the message, never a multiple of it (the text and its JSON, or the attachment
 * and its JSON, never both exist whole). Prints the peak it measures.
 */
class TransformMemoryTest {

    private static final int TEN_MIB = 10 * 1024 * 1024;
    private static final int CHUNK = 16 * 1024;

    @ParameterizedTest
    @ValueSource(strings = {"text", "attachment"})
    void aTenMebibyteMessageIsHeldOnceFromParseToRequest(String kind) {
        byte[] message = kind.equals("text") ? textMessage() : attachmentMessage();
        PeakTrackingAllocator allocator = new PeakTrackingAllocator();
        TransformResult result;
        try (MessageTransformer transformer = new MessageTransformer(TransformConfig.DEFAULT, allocator)) {
            for (int offset = 0; offset < message.length; offset += CHUNK) {
                ByteBuf chunk =
                        allocator.buffer(CHUNK).writeBytes(message, offset, Math.min(CHUNK, message.length - offset));
                transformer.feed(chunk);
                chunk.release();
            }
            result = transformer.finish();
        }
        ParsedMessage parsed = ((TransformResult.Transformed) result).message();
        SubmissionBody body = SubmissionJson.write(parsed, "1", "transactional", null);
        parsed.release();
        ByteBuf request = body.forRecipient("someone@example.com");
        int requestSize = request.readableBytes();
        request.release();
        body.release();

        double ratio = (double) allocator.peak / message.length;
        System.out.printf(
                "%s message of %,d octets (request %,d): peak buffer memory %,d octets, %.3fx the message%n",
                kind, message.length, requestSize, allocator.peak, ratio);
        assertThat(requestSize).isGreaterThan(TEN_MIB);
        assertThat(allocator.inUse).isZero();
        assertThat(ratio).isLessThan(1.2);
    }

    private static byte[] textMessage() {
        StringBuilder text = new StringBuilder("Subject: big\r\nContent-Type: text/plain; charset=utf-8\r\n"
                + "Content-Transfer-Encoding: 8bit\r\n\r\n");
        Random random = new Random(1);
        while (text.length() < TEN_MIB) {
            text.append("Ligne ")
                    .append(random.nextInt())
                    .append(" \"café\" ")
                    .append("x".repeat(random.nextInt(60)))
                    .append("\r\n");
        }
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] attachmentMessage() {
        byte[] pdf = new byte[TEN_MIB];
        new Random(2).nextBytes(pdf);
        return ("Subject: big\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
                        + "Content-Type: text/plain\r\n\r\nsee attached\r\n--b\r\n"
                        + "Content-Type: application/pdf; name=big.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                        + Base64.getMimeEncoder().encodeToString(pdf) + "\r\n--b--\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Unpooled buffers, so what is in use is what is alive; the peak can only rise when memory is allocated. Heap
     * buffers even where direct ones are asked for: their memory is the simplest to count.
     */
    private static final class PeakTrackingAllocator extends AbstractByteBufAllocator {
        long inUse;
        long peak;

        PeakTrackingAllocator() {
            super(false);
        }

        @Override
        public boolean isDirectBufferPooled() {
            return false;
        }

        @Override
        protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
            return newHeapBuffer(initialCapacity, maxCapacity);
        }

        @Override
        protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
            return new UnpooledHeapByteBuf(this, initialCapacity, maxCapacity) {
                @Override
                protected byte[] allocateArray(int capacity) {
                    allocated(capacity);
                    return super.allocateArray(capacity);
                }

                @Override
                protected void freeArray(byte[] array) {
                    inUse -= array.length;
                    super.freeArray(array);
                }
            };
        }

        private void allocated(int capacity) {
            inUse += capacity;
            peak = Math.max(peak, inUse);
        }
    }
}
