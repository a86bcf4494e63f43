package io.cakemail.gateway.core.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cakemail.gateway.core.json.SubmissionBody;
import io.cakemail.gateway.core.json.SubmissionJson;
import io.cakemail.gateway.core.transform.MessageTransformer;
import io.cakemail.gateway.core.transform.ParsedMessage;
import io.cakemail.gateway.core.transform.Refusal;
import io.cakemail.gateway.core.transform.RefusalException;
import io.cakemail.gateway.core.transform.TransformConfig;
import io.cakemail.gateway.core.transform.TransformResult;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** Message content is charged to the budget as it is buffered, and given back when the message is done. */
class MemoryBudgetTest {

    private static final PooledByteBufAllocator ALLOCATOR = PooledByteBufAllocator.DEFAULT;

    @Test
    void aMessageThatFindsNoRoomGets452AndRoomComesBackWhenOthersAreDone() {
        MemoryBudget budget = new MemoryBudget(1 << 20);
        MessageMemory other = budget.newMessage(ALLOCATOR, "test");
        other.charge(900 * 1024);
        TransformResult refused = transform(withAttachment(300 * 1024), budget, TransformConfig.DEFAULT);
        assertThat(refused).isEqualTo(new TransformResult.Refused(Refusal.NO_STORAGE));
        assertThat(budget.used()).isEqualTo(900 * 1024);
        assertThat(budget.refusals()).isEqualTo(1);
        other.release();
        assertThat(budget.used()).isZero();
        TransformResult accepted = transform(withAttachment(300 * 1024), budget, TransformConfig.DEFAULT);
        assertThat(accepted).isInstanceOf(TransformResult.Transformed.class);
        assertThat(budget.used()).isGreaterThan(400 * 1024);
        ((TransformResult.Transformed) accepted).message().release();
        assertThat(budget.used()).isZero();
    }

    @Test
    void aMessageThatNeedsMoreThanTheWholeBudgetIsRefusedForGood() {
        MemoryBudget budget = new MemoryBudget(256 * 1024);
        TransformResult result = transform(withAttachment(300 * 1024), budget, TransformConfig.DEFAULT);
        assertThat(result)
                .isEqualTo(new TransformResult.Refused(Refusal.tooLarge(
                        "the message needs more memory than this gateway's whole budget for content (262144 octets)")));
        assertThat(budget.used()).isZero();
    }

    @Test
    void controlCharactersThatGrowSixfoldWhenEscapedCountAgainstTheJsonLimit() {
        TransformConfig config = withJsonLimit(4 << 20);
        MemoryBudget budget = new MemoryBudget(64 << 20);
        String message = "From: a@example.com\r\nSubject: control\r\nContent-Type: text/plain\r\n\r\n"
                + "\u0001".repeat(1 << 20) + "\r\n";
        TransformResult result = transform(message.getBytes(StandardCharsets.US_ASCII), budget, config);
        assertThat(result).isEqualTo(new TransformResult.Refused(MessageTransformer.jsonTooLarge(4 << 20)));
        assertThat(budget.used()).isZero();
    }

    @Test
    void attachmentsPastTheJsonLimitAreRefusedAsTheyArrive() {
        TransformConfig config = withJsonLimit(100_000);
        MemoryBudget budget = new MemoryBudget(64 << 20);
        TransformResult result = transform(withAttachment(200_000), budget, config);
        assertThat(result).isEqualTo(new TransformResult.Refused(MessageTransformer.jsonTooLarge(100_000)));
        assertThat(budget.used()).isZero();
    }

    @Test
    void theChargeLastsUntilTheMessageAndItsJsonAreBothReleased() {
        MemoryBudget budget = new MemoryBudget(64 << 20);
        ParsedMessage message = ((TransformResult.Transformed)
                        transform(withAttachment(50_000), budget, TransformConfig.DEFAULT))
                .message();
        long transformed = budget.used();
        SubmissionBody body = SubmissionJson.write(message, "s-1", "transactional", null);
        message.release();
        assertThat(budget.used()).as("the JSON still holds views of the bodies").isGreaterThan(transformed);
        body.release();
        assertThat(budget.used()).isZero();
    }

    @Test
    void fanOutCopiesOfASmallMessageAreChargedForEveryRecipient() {
        MemoryBudget budget = new MemoryBudget(1 << 20);
        ParsedMessage message = ((TransformResult.Transformed)
                        transform(withAttachment(6_000), budget, TransformConfig.DEFAULT))
                .message();
        SubmissionBody body = SubmissionJson.write(message, "s-1", "transactional", null);
        message.release();
        long before = budget.used();
        body.reserveFanOut(10);
        assertThat(budget.used() - before).isEqualTo(10L * (320 + body.sharedSize()));
        assertThatThrownBy(() -> body.reserveFanOut(1000))
                .isInstanceOf(RefusalException.class)
                .extracting(e -> ((RefusalException) e).refusal().kind())
                .isEqualTo(Refusal.Kind.TOO_LARGE);
        body.release();
        assertThat(budget.used()).isZero();
    }

    private static TransformConfig withJsonLimit(long maxJsonSize) {
        TransformConfig defaults = TransformConfig.DEFAULT;
        return new TransformConfig(
                defaults.limits(),
                defaults.unsupportedAttachments(),
                defaults.inlineImages(),
                defaults.missingContent(),
                maxJsonSize);
    }

    private static byte[] withAttachment(int size) {
        String message = "From: a@example.com\r\nSubject: report\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
                + "--b\r\nContent-Type: text/plain\r\n\r\nSee the report.\r\n"
                + "--b\r\nContent-Type: application/pdf; name=report.pdf\r\n"
                + "Content-Transfer-Encoding: base64\r\n\r\n"
                + Base64.getMimeEncoder().encodeToString(new byte[size]) + "\r\n--b--\r\n";
        return message.getBytes(StandardCharsets.US_ASCII);
    }

    private static TransformResult transform(byte[] message, MemoryBudget budget, TransformConfig config) {
        try (MessageTransformer transformer = new MessageTransformer(config, budget.newMessage(ALLOCATOR, "test"))) {
            for (int offset = 0; offset < message.length; offset += 8192) {
                int size = Math.min(8192, message.length - offset);
                ByteBuf chunk = ALLOCATOR.buffer(size).writeBytes(message, offset, size);
                try {
                    transformer.feed(chunk);
                } finally {
                    chunk.release();
                }
            }
            return transformer.finish();
        }
    }
}
