package io.cakemail.gateway.core.mime;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Random;
import java.util.regex.Pattern;

/**
 * Coverage-guided fuzzing of what the MIME parser reads inside a part with Jazzer: encoded words (RFC 2047), header
 * parameters with RFC 2231 continuations and charsets, and the quoted-printable and base64 decoders.
 * {@code benchmarks/fuzz.sh} fuzzes each; {@code mvn verify} runs the inputs kept in {@code MimeFieldsFuzzTestInputs}.
 * Beyond "no exception escapes": decoded text and parameters are never longer than what they came from (names and
 * values are taken leniently, as mail needs: an unterminated quote runs to the end), the decoders give the same octets
 * however the input is cut, never more than the encoding allows, and base64 agrees with the JDK's MIME decoder
 * wherever the input is canonical base64.
 */
class MimeFieldsFuzzTest {

    private static final Pattern CANONICAL_BASE64 =
            Pattern.compile("([A-Za-z0-9+/]{4}|\r\n)*([A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?");

    @FuzzTest(maxDuration = "")
    @DictionaryEntries({"=?", "?=", "?B?", "?Q?", "?b?", "?q?", "utf-8", "iso-8859-1", "windows-1252", "=C3=A9", "_"})
    void encodedWordsDecodeToNoMoreTextThanTheyCameIn(byte[] input) {
        String header = new String(input, StandardCharsets.ISO_8859_1);

        String decoded = EncodedWords.decode(header);

        assertThat(decoded.length()).isLessThanOrEqualTo(header.length());
    }

    @FuzzTest(maxDuration = "")
    @DictionaryEntries({
        ";",
        "=",
        "\"",
        "*0=",
        "*1=",
        "*0*=",
        "*=",
        "utf-8''",
        "%E2%82%AC",
        "filename",
        "name",
        "boundary"
    })
    void headerParametersNeverGiveMoreTextThanTheyCameIn(byte[] input) {
        String header = new String(input, StandardCharsets.ISO_8859_1);

        HeaderParameters parsed = HeaderParameters.parse(header);

        int length = parsed.value().length();
        for (var parameter : parsed.parameters().entrySet()) {
            length += parameter.getKey().length() + parameter.getValue().length();
        }
        assertThat(length).isLessThanOrEqualTo(header.length());
    }

    @FuzzTest(maxDuration = "")
    @DictionaryEntries({"=", "=3D", "=C3=A9", "=20", "=FF"}) // no control octet: Jazzer writes entries as they are
    void quotedPrintableDecodesTheSameHoweverItIsCut(byte[] input) {
        byte[] whole = decode(new QuotedPrintableDecoder(new DecoderBuffers()), input, new int[0]);
        byte[] cut = decode(new QuotedPrintableDecoder(new DecoderBuffers()), input, cuts(input));

        assertThat(cut).isEqualTo(whole);
        assertThat(whole.length).isLessThanOrEqualTo(input.length);
    }

    @FuzzTest(maxDuration = "")
    @DictionaryEntries({"==", "=", "AAAA", "+/+/"})
    void base64DecodesTheSameHoweverItIsCutAndAsTheJdkDoes(byte[] input) {
        byte[] whole = decode(new Base64Decoder(new DecoderBuffers()), input, new int[0]);
        byte[] cut = decode(new Base64Decoder(new DecoderBuffers()), input, cuts(input));

        assertThat(cut).isEqualTo(whole);
        assertThat(whole.length).isLessThanOrEqualTo(input.length / 4 * 3 + 3);
        String text = new String(input, StandardCharsets.ISO_8859_1);
        if (CANONICAL_BASE64.matcher(text).matches()) {
            assertThat(whole).isEqualTo(Base64.getMimeDecoder().decode(text));
        }
    }

    /** Where an input is cut, the same each time it is run. */
    private static int[] cuts(byte[] input) {
        Random random = new Random(Arrays.hashCode(input));
        return random.ints(random.nextInt(8), 0, input.length + 1).sorted().toArray();
    }

    /** {@code input} through {@code decoder} in the pieces {@code cuts} make, single octets for one-octet pieces. */
    private static byte[] decode(TransferDecoder decoder, byte[] input, int[] cuts) {
        ByteBuf in = Unpooled.wrappedBuffer(input);
        ByteBuf out = Unpooled.buffer();
        try {
            int from = 0;
            for (int i = 0; i <= cuts.length; i++) {
                int to = i < cuts.length ? cuts[i] : input.length;
                if (to - from == 1) {
                    decoder.decode(input[from], out);
                } else if (to > from) {
                    decoder.decode(in, from, to, out);
                }
                from = to;
            }
            decoder.finish(out);
            byte[] decoded = new byte[out.readableBytes()];
            out.readBytes(decoded);
            return decoded;
        } finally {
            in.release();
            out.release();
        }
    }
}
