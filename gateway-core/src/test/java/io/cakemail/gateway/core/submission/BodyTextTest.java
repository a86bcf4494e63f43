package io.cakemail.gateway.core.submission;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BodyTextTest {

    @Test
    void crlfBecomesLfWhereverItFallsAgainstPiecesAndScratchBlocks() {
        Random random = new Random(7);
        for (int round = 0; round < 300; round++) {
            StringBuilder text = new StringBuilder();
            int length = Scratch.BLOCK - 20 + random.nextInt(Scratch.BLOCK * 2);
            while (text.length() < length) {
                int pick = random.nextInt(12);
                text.append(pick == 0 ? "\r\n" : pick == 1 ? "\r" : pick == 2 ? "\n" : pick == 3 ? "\"é\\" : "abcdefgh");
            }
            String value = text.toString();
            byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
            int split = random.nextInt(bytes.length + 1);
            String expected = new String(JsonStringEncoder.getInstance().quoteAsString(value.replace("\r\n", "\n")));
            assertThat(json("utf-8", bytes, split)).as("round %d, split at %d", round, split).isEqualTo(expected);
        }
    }

    @Test
    void aCrAtTheEndOfTheLastPieceIsKept() {
        byte[] bytes = "line\r\nend\r".getBytes(StandardCharsets.US_ASCII);
        assertThat(json("us-ascii", bytes, bytes.length - 1)).isEqualTo("line\\nend\\r");
    }

    @Test
    void textThatIsNotUtf8IsDecodedFromItsCharset() {
        byte[] latin1 = "caf\u00e9\r\nna\u00efve".getBytes(StandardCharsets.ISO_8859_1);
        assertThat(json("iso-8859-1", latin1, 3)).isEqualTo("caf\u00e9\\nna\u00efve");
    }

    /** The JSON string content {@link BodyText} makes of {@code bytes}, given in two pieces split at {@code split}. */
    private static String json(String charset, byte[] bytes, int split) {
        BodyText text = new BodyText(MessageMemory.unlimited(UnpooledByteBufAllocator.DEFAULT), charset);
        text.write(Unpooled.wrappedBuffer(bytes, 0, split));
        text.write(Unpooled.wrappedBuffer(bytes, split, bytes.length - split));
        ByteBuf json = text.finishAsJson(Long.MAX_VALUE, Long.MAX_VALUE);
        try {
            return json.toString(StandardCharsets.UTF_8);
        } finally {
            json.release();
        }
    }
}
