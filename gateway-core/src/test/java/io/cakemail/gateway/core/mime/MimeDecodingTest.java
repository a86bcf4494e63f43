package io.cakemail.gateway.core.mime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class MimeDecodingTest {

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "a=3Db                  | a=b",
                "soft=\\r\\nbreak       | softbreak",
                "soft=\\nLF             | softLF",
                "pad= \\t\\r\\nded      | padded",
                "trail   \\r\\nnext     | trail\\r\\nnext",
                "keep=20\\r\\n          | keep \\r\\n",
                "bad=ZZ and =4         | bad=ZZ and =4",
                "lower=c3=a9           | loweré",
                "eq= x                 | eq= x",
            })
    void quotedPrintableDecodesAtEverySplit(String encoded, String expected) {
        assertEverySplitDecodes(new QuotedPrintableDecoderFactory(), unescape(encoded), unescape(expected));
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "SGVsbG8sIHdvcmxk     | Hello, world",
                "SGVs\\r\\nbG8=       | Hello",
                "SGVsbG8              | Hello",
                "S G*V!s\\tbG8gIQ==   | Hello !",
                "SGk=SGk=             | HiHi",
            })
    void base64DecodesLenientlyAtEverySplit(String encoded, String expected) {
        assertEverySplitDecodes(() -> new Base64Decoder(new DecoderBuffers()), unescape(encoded), expected);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "=?UTF-8?B?SMOpbMOobmU=?=                      | Hélène",
                "=?iso-8859-1?Q?Caf=E9_cr=E8me?=               | Café crème",
                "=?UTF-8?Q?a?= =?UTF-8?Q?b?=                   | ab",
                "=?UTF-8?Q?a?=  x  =?UTF-8?Q?b?=               | a  x  b",
                "Re: =?utf-8?q?=C3=A9t=C3=A9?= plan           | Re: été plan",
                "=?UTF-8?B?w6k=?=                              | é",
                "=?UTF-8?X?abc?= unknown encoding             | =?UTF-8?X?abc?= unknown encoding",
                "=?unknown?Q?caf=C3=A9?=                       | café",
                "=?utf-8*fr?Q?fran=C3=A7ais?=                  | français",
                "no words here                                 | no words here",
                "=?UTF-8?Q?unterminated                        | =?UTF-8?Q?unterminated",
                "=?utf 8?Q?a_charset_with_a_space?=           | =?utf 8?Q?a_charset_with_a_space?=",
                "=?a?b?c=?a?b?c=?a?b?c                         | =?a?b?c=?a?b?c=?a?b?c",
            })
    void encodedWordsDecode(String encoded, String expected) {
        assertThat(EncodedWords.decode(encoded.strip())).isEqualTo(expected.strip());
    }

    /**
     * Text made of would-be encoded words that never close once cost the square of its length (seconds for a header
     * block's 256 KiB, on an event loop). A guard against a hang, not a speed target: {@code EncodedWordsBenchmark}
     * measures the cost.
     */
    @ParameterizedTest
    @ValueSource(strings = {"=?a?b?c", "=?utf-8?q?", "=?=?", "=?utf-8?b?QUJD?= ", "=?x?q?a b"})
    void encodedWordsCostWorkLinearInTheirText(String unit) {
        String text = unit.repeat(4 * 1024 * 1024 / unit.length());
        String decoded = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> EncodedWords.decode(text));
        assertThat(decoded).isNotNull();
    }

    @Test
    void base64UrlCharactersDecodeLikeTheirStandardTwins() {
        ByteBuf standard = Unpooled.buffer();
        ByteBuf url = Unpooled.buffer();
        Base64Decoder decoder = new Base64Decoder(new DecoderBuffers());
        decoder.decode(Unpooled.copiedBuffer("+/8=", StandardCharsets.US_ASCII), 0, 4, standard);
        decoder.decode(Unpooled.copiedBuffer("-_8=", StandardCharsets.US_ASCII), 0, 4, url);
        assertThat(ByteBufUtil.getBytes(url))
                .isEqualTo(ByteBufUtil.getBytes(standard))
                .containsExactly(0xfb, 0xff);
        standard.release();
        url.release();
    }

    @Test
    void encodedWordsSplitInsideACharacterJoin() {
        byte[] bytes = "é".getBytes(StandardCharsets.UTF_8);
        String first = java.util.Base64.getEncoder().encodeToString(new byte[] {bytes[0]});
        String second = java.util.Base64.getEncoder().encodeToString(new byte[] {bytes[1]});
        assertThat(EncodedWords.decode("=?UTF-8?B?" + first + "?=\r\n =?UTF-8?B?" + second + "?="))
                .isEqualTo("é");
    }

    @Test
    void parametersHandleQuotesCommentsAndRfc2231() {
        HeaderParameters simple = HeaderParameters.parse(
                "Text/Plain; charset=\"UTF-8\" (comment; with semicolon); Format=flowed; name=\"a \\\"b\\\";c\"");
        assertThat(simple.value()).isEqualTo("text/plain");
        assertThat(simple.parameters())
                .containsExactly(
                        Map.entry("charset", "UTF-8"), Map.entry("format", "flowed"), Map.entry("name", "a \"b\";c"));
        HeaderParameters continued =
                HeaderParameters.parse("attachment; filename*1=\" part two.pdf\"; filename*0*=utf-8'fr'%C3%A9t%C3%A9");
        assertThat(continued.parameter("filename")).isEqualTo("été part two.pdf");
        HeaderParameters latin1 = HeaderParameters.parse("attachment; filename*=iso-8859-1''caf%E9.pdf");
        assertThat(latin1.parameter("filename")).isEqualTo("café.pdf");
        HeaderParameters gap = HeaderParameters.parse("inline; name*0=a; name*2=c");
        assertThat(gap.parameter("name")).isEqualTo("a");
        HeaderParameters encodedWord =
                HeaderParameters.parse("application/pdf; name=\"=?UTF-8?Q?r=C3=A9sum=C3=A9.pdf?=\"");
        assertThat(encodedWord.parameter("name")).isEqualTo("résumé.pdf");
    }

    @Test
    void contentTypeFallsBackSensibly() {
        assertThat(ContentType.parse(null, ContentType.TEXT_PLAIN).mediaType()).isEqualTo("text/plain");
        assertThat(ContentType.parse("garbage", ContentType.MESSAGE_RFC822).mediaType())
                .isEqualTo("message/rfc822");
        assertThat(ContentType.parse("multipart/mixed", ContentType.TEXT_PLAIN).mediaType())
                .isEqualTo("text/plain");
        ContentType html = ContentType.parse("TEXT/HTML ; charset=windows-1252", ContentType.TEXT_PLAIN);
        assertThat(html.mediaType()).isEqualTo("text/html");
        assertThat(html.parameter("charset")).isEqualTo("windows-1252");
    }

    @Test
    void charsetsCopeWithMissingUnknownAndLyingLabels() {
        byte[] utf8 = "déjà".getBytes(StandardCharsets.UTF_8);
        byte[] latin1 = "déjà".getBytes(StandardCharsets.ISO_8859_1);
        byte[] cp1252 = {(byte) 0x93, 'q', (byte) 0x94, (byte) 0x80};
        assertThat(Charsets.decode(utf8, 0, utf8.length, null)).isEqualTo("déjà");
        assertThat(Charsets.decode(latin1, 0, latin1.length, null)).isEqualTo("déjà");
        assertThat(Charsets.decode(utf8, 0, utf8.length, "iso-8859-1")).isEqualTo("déjà");
        assertThat(Charsets.decode(latin1, 0, latin1.length, "utf-8")).isEqualTo("déjà");
        assertThat(Charsets.decode(cp1252, 0, cp1252.length, "iso-8859-1")).isEqualTo("\u201cq\u201d\u20ac");
        assertThat(Charsets.decode(latin1, 0, latin1.length, "x-no-such-charset"))
                .isEqualTo("déjà");
        byte[] koi8 = "привет".getBytes(java.nio.charset.Charset.forName("koi8-r"));
        assertThat(Charsets.decode(koi8, 0, koi8.length, "KOI8-R")).isEqualTo("привет");
    }

    @Test
    void utf8ValidatorAgreesWithTheJdkWhereverTheInputIsSplit() {
        String[] samples = {"plain ascii, long enough for words", "déjà vu", "€ and 😀 in text", "ctl \u0000 chars"};
        int[][] broken = {
            {0xc3},
            {0xc0, 0x80},
            {0xed, 0xa0, 0x80},
            {0xf4, 0x90, 0x80, 0x80},
            {0xe2, 0x82},
            {0x80},
            {0xff},
            {0xf0, 0x9f, 0x98, 0x41}
        };
        for (String sample : samples) {
            assertUtf8VerdictAtEverySplit(sample.getBytes(StandardCharsets.UTF_8));
            for (int[] bad : broken) {
                byte[] good = sample.getBytes(StandardCharsets.UTF_8);
                byte[] mixed = new byte[good.length + bad.length];
                System.arraycopy(good, 0, mixed, 0, 5);
                for (int i = 0; i < bad.length; i++) {
                    mixed[5 + i] = (byte) bad[i];
                }
                System.arraycopy(good, 5, mixed, 5 + bad.length, good.length - 5);
                assertUtf8VerdictAtEverySplit(mixed);
            }
        }
    }

    private static void assertUtf8VerdictAtEverySplit(byte[] bytes) {
        boolean expected;
        try {
            StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes));
            expected = true;
        } catch (java.nio.charset.CharacterCodingException e) {
            expected = false;
        }
        assertThat(Utf8Validator.isValid(bytes, 0, bytes.length)).isEqualTo(expected);
        for (int split = 0; split <= bytes.length; split++) {
            Utf8Validator validator = new Utf8Validator();
            validator.update(bytes, 0, split);
            validator.update(bytes, split, bytes.length);
            assertThat(validator.isValid())
                    .as("%s split at %d", ByteBufUtil.hexDump(bytes), split)
                    .isEqualTo(expected);
        }
    }

    private interface DecoderFactory {
        TransferDecoder create();
    }

    private static final class QuotedPrintableDecoderFactory implements DecoderFactory {
        @Override
        public TransferDecoder create() {
            return new QuotedPrintableDecoder(new DecoderBuffers());
        }
    }

    private static void assertEverySplitDecodes(DecoderFactory factory, String encoded, String expected) {
        byte[] input = encoded.getBytes(StandardCharsets.ISO_8859_1);
        for (int split = 0; split <= input.length; split++) {
            TransferDecoder decoder = factory.create();
            ByteBuf out = Unpooled.buffer();
            ByteBuf in = Unpooled.wrappedBuffer(input);
            decoder.decode(in, 0, split, out);
            decoder.decode(in, split, input.length, out);
            decoder.finish(out);
            assertThat(out.toString(StandardCharsets.UTF_8))
                    .as("split at %d", split)
                    .isEqualTo(expected);
            out.release();
        }
    }

    private static String unescape(String s) {
        return s.strip().replace("\\r", "\r").replace("\\n", "\n").replace("\\t", "\t");
    }
}
