package io.cakemail.gateway.core.transform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.cakemail.gateway.core.json.Scratch;
import io.cakemail.gateway.core.memory.MemoryBudget;
import io.cakemail.gateway.core.memory.MessageMemory;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BodyTextTest {

    @Test
    void crlfBecomesLfWhereverItFallsAgainstPiecesAndScratchBlocks() {
        Random random = new Random(7);
        for (int round = 0; round < 300; round++) {
            StringBuilder text = new StringBuilder();
            int length = Scratch.BLOCK - 20 + random.nextInt(Scratch.BLOCK * 2);
            while (text.length() < length) {
                int pick = random.nextInt(12);
                text.append(
                        pick == 0 ? "\r\n" : pick == 1 ? "\r" : pick == 2 ? "\n" : pick == 3 ? "\"é\\" : "abcdefgh");
            }
            String value = text.toString();
            byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
            int split = random.nextInt(bytes.length + 1);
            String expected = new String(JsonStringEncoder.getInstance().quoteAsString(value.replace("\r\n", "\n")));
            assertThat(json("utf-8", bytes, split))
                    .as("round %d, split at %d", round, split)
                    .isEqualTo(expected);
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

    /**
     * Text in other charsets is transcoded in blocks: characters of several bytes, CRLF (of two characters in UTF-16)
     * and pieces fall against block boundaries, and the result is what decoding the whole text at once gives.
     */
    @ParameterizedTest
    @CsvSource({
        "koi8-r, привет мир",
        "shift_jis, 日本語のテキスト",
        "euc-jp, 日本語のテキスト",
        "gb18030, 中文文本𠀀",
        "utf-16, ça va 𝄞",
        "utf-16le, ça va 𝄞",
        "windows-1252, café “quoted” €"
    })
    void textInOtherCharsetsIsTranscodedInBlocksAsIfWhole(String charset, String alphabet) {
        Random random = new Random(charset.hashCode());
        for (int round = 0; round < 40; round++) {
            StringBuilder text = new StringBuilder();
            int length = 6000 + random.nextInt(20_000);
            while (text.length() < length) {
                int pick = random.nextInt(10);
                text.append(pick == 0 ? "\r\n" : pick == 1 ? "\r" : pick == 2 ? "\"\\\t" : alphabet);
            }
            String value = text.toString();
            byte[] bytes = value.getBytes(Charset.forName(charset));
            String expected = new String(JsonStringEncoder.getInstance().quoteAsString(value.replace("\r\n", "\n")));
            assertThat(json(charset, bytes, random))
                    .as("%s, round %d", charset, round)
                    .isEqualTo(expected);
        }
    }

    @Test
    void aUtf8LabelIsBelievedOnBrokenBytesOnlyWithSomeWellFormedCharacter() {
        byte[] mixed = {'c', 'a', 'f', (byte) 0xc3, (byte) 0xa9, ' ', (byte) 0xe9, '!'};
        assertThat(json("utf-8", mixed, 4)).isEqualTo("caf\u00e9 \ufffd!");
        byte[] latin1 = "caf\u00e9 na\u00efve".getBytes(StandardCharsets.ISO_8859_1);
        assertThat(json("utf-8", latin1, 4)).isEqualTo("caf\u00e9 na\u00efve");
    }

    @Test
    void jsonPastItsRoomIsRefusedAndNothingIsLeftHeld() {
        MemoryBudget budget = new MemoryBudget(1 << 20);
        BodyText text = new BodyText(budget.newMessage(UnpooledByteBufAllocator.DEFAULT, "test"), "utf-8");
        text.write(Unpooled.wrappedBuffer(new byte[10_000])); // NUL characters: six octets each once escaped
        assertThatThrownBy(() -> text.finishAsJson(50_000, 60_000))
                .isInstanceOf(RefusalException.class)
                .extracting(e -> ((RefusalException) e).refusal())
                .isEqualTo(Refusal.tooLarge("the message's bodies and attachments are larger than 60000 octets once"
                        + " encoded for the Cakemail API"));
        assertThat(budget.used()).isZero();
    }

    /** The JSON string content {@link BodyText} makes of {@code bytes}, given in pieces of random sizes. */
    private static String json(String charset, byte[] bytes, Random random) {
        BodyText text = new BodyText(MessageMemory.unlimited(UnpooledByteBufAllocator.DEFAULT), charset);
        for (int from = 0; from < bytes.length; ) {
            int size = Math.min(bytes.length - from, 1 + random.nextInt(9000));
            text.write(Unpooled.wrappedBuffer(bytes, from, size));
            from += size;
        }
        return finish(text);
    }

    /** The JSON string content {@link BodyText} makes of {@code bytes}, given in two pieces split at {@code split}. */
    private static String json(String charset, byte[] bytes, int split) {
        BodyText text = new BodyText(MessageMemory.unlimited(UnpooledByteBufAllocator.DEFAULT), charset);
        text.write(Unpooled.wrappedBuffer(bytes, 0, split));
        text.write(Unpooled.wrappedBuffer(bytes, split, bytes.length - split));
        return finish(text);
    }

    private static String finish(BodyText text) {
        ByteBuf json = text.finishAsJson(Long.MAX_VALUE, Long.MAX_VALUE);
        try {
            return json.toString(StandardCharsets.UTF_8);
        } finally {
            json.release();
        }
    }
}
