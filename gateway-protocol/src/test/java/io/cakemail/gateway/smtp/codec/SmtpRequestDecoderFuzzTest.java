package io.cakemail.gateway.smtp.codec;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.cakemail.gateway.smtp.BareLineEndingPolicy;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Coverage-guided fuzzing of the SMTP request decoder with Jazzer: {@code benchmarks/fuzz.sh} fuzzes it, and
 * {@code mvn verify} runs the inputs kept in {@code SmtpRequestDecoderFuzzTestInputs} (client bytes, as text) as
 * regression tests. Whatever the bytes, split anywhere, under a short or a long line limit and either bare line ending
 * policy, the decoder emits the same commands, SASL lines, content and failures as when they arrive in one buffer, and
 * releases every buffer it was given or gave out.
 */
class SmtpRequestDecoderFuzzTest {

    private static final int MAX_SPLITS = 16;
    private static final int[] LINE_LIMITS = {3, 16, 80, 512, 1000};

    @FuzzTest(maxDuration = "")
    // no control octet: Jazzer writes the entries to libFuzzer's dictionary file as they are
    @DictionaryEntries({"DATA", ".", "..", "BDAT ", " LAST", "AUTH LOGIN", "AUTH PLAIN"})
    void anySplitOfAnyInputDecodesAsTheWholeInputDoes(byte[] input) {
        Random random = new Random(Arrays.hashCode(input)); // the same splits each time an input is run
        int maxLineLength = LINE_LIMITS[random.nextInt(LINE_LIMITS.length)];
        BareLineEndingPolicy policy =
                BareLineEndingPolicy.values()[random.nextInt(BareLineEndingPolicy.values().length)];
        int[] splits = random.ints(random.nextInt(MAX_SPLITS + 1), 0, input.length + 1)
                .sorted()
                .toArray();

        List<String> whole = DecodedEvents.decode(new SmtpRequestDecoder(maxLineLength, policy), input);
        List<String> split = DecodedEvents.decode(new SmtpRequestDecoder(maxLineLength, policy), input, splits);

        assertThat(split).isEqualTo(whole);
    }
}
