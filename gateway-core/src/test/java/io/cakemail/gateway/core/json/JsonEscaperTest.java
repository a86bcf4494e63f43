package io.cakemail.gateway.core.json;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.cakemail.gateway.core.memory.ChunkedBuffer;
import io.cakemail.gateway.core.memory.MessageMemory;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class JsonEscaperTest {

    @Test
    void escapesLikeJacksonWhereverTheSpecialCharactersFallInTheEightByteWords() {
        String specials = "\"\\\n\r\t\b\f\u0000\u0001\u001f é€😀/'<>\u007f";
        Random random = new Random(42);
        for (int round = 0; round < 2_000; round++) {
            StringBuilder text = new StringBuilder();
            int length = random.nextInt(40);
            for (int i = 0; i < length; i++) {
                text.append(
                        random.nextInt(4) == 0
                                ? specials.charAt(random.nextInt(specials.length()))
                                : (char) ('a' + random.nextInt(26)));
            }
            String value = text.toString().replaceAll("[\\uD800-\\uDFFF]", "x");
            assertThat(escaped(value))
                    .as("%s", value)
                    .isEqualTo(new String(JsonStringEncoder.getInstance().quoteAsString(value)));
        }
    }

    @Test
    void everyControlCharacterAndOnlyThoseAreEscaped() {
        for (int c = 0; c < 0x80; c++) {
            String value = "abcdefgh" + (char) c + "ijklmnop";
            assertThat(escaped(value))
                    .isEqualTo(new String(JsonStringEncoder.getInstance().quoteAsString(value)));
        }
    }

    @Test
    void textLongerThanAScratchBlockIsEscapedWhole() {
        String value = ("quote\" back\\ tab\t " + "x".repeat(37) + "\u0001").repeat(Scratch.BLOCK / 10);
        assertThat(value.length()).isGreaterThan(3 * Scratch.BLOCK);
        assertThat(escaped(value))
                .isEqualTo(new String(JsonStringEncoder.getInstance().quoteAsString(value)));
    }

    private static String escaped(String value) {
        ByteBuf in = Unpooled.wrappedBuffer(value.getBytes(StandardCharsets.UTF_8));
        ChunkedBuffer out = new ChunkedBuffer(MessageMemory.unlimited(UnpooledByteBufAllocator.DEFAULT));
        JsonEscaper.escape(in, out);
        ByteBuf json = out.finish();
        try {
            return json.toString(StandardCharsets.UTF_8);
        } finally {
            json.release();
        }
    }
}
