package io.cakemail.gateway.core.transform;

import static org.assertj.core.api.Assertions.assertThat;

import io.cakemail.gateway.core.mime.MimeLimits;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Seeded random mutations of the golden corpus: every input must end in a submission or a refusal, without an
 * exception, a leak (checked after the class) or output beyond the limits.
 */
class TransformerFuzzTest {

    private static final long SEED = 20261125L;
    private static final int ITERATIONS = 4000;
    private static final MimeLimits LIMITS = new MimeLimits(6, 60, 100, 8192, 64 * 1024, 128 * 1024);
    private static final TransformConfig CONFIG = new TransformConfig(
            LIMITS,
            TransformConfig.UnsupportedAttachments.REFUSE,
            TransformConfig.InlineImages.DATA_URI,
            TransformConfig.MissingContent.PLACEHOLDER);
    private static final byte[][] FRAGMENTS = {
        bytes("\r\n--"),
        bytes("--\r\n"),
        bytes("\r\n\r\n"),
        bytes("=?utf-8?B?"),
        bytes("?="),
        bytes("=\r\n"),
        bytes("=C3"),
        bytes("Content-Type: multipart/mixed; boundary=x\r\n"),
        bytes("\r\n--x\r\n"),
        bytes("Content-Transfer-Encoding: base64\r\n"),
        bytes("Content-Transfer-Encoding: quoted-printable\r\n"),
        bytes("filename*0*=utf-8''%E2%82"),
        bytes("\0"),
        bytes("\r"),
        bytes("\n"),
        new byte[] {(byte) 0xff, (byte) 0xc3},
        bytes("Content-Type: multipart/related; boundary=x\r\n"),
        bytes("Content-ID: <same@x>\r\n"),
        bytes("\r\n--x\r\nContent-Type: image/png\r\nContent-ID: <same@x>\r\n\r\niVBORw0KGgo=\r\n"),
    };

    @Test
    void mutatedMessagesAlwaysEndInASubmissionOrARefusal() throws IOException {
        List<byte[]> corpus = corpus();
        Random random = new Random(SEED);
        int transformed = 0;
        int refused = 0;
        for (int i = 0; i < ITERATIONS; i++) {
            byte[] input = mutate(corpus.get(random.nextInt(corpus.size())), random);
            TransformResult result = run(input, random);
            if (result instanceof TransformResult.Transformed t) {
                transformed++;
                assertWithinLimits(t.message());
                t.message().release();
            } else {
                refused++;
                assertThat(((TransformResult.Refused) result).refusal().reason())
                        .isNotBlank();
            }
        }
        assertThat(transformed).as("transformed").isGreaterThan(ITERATIONS / 10);
        assertThat(refused).as("refused").isGreaterThan(ITERATIONS / 20);
    }

    private static void assertWithinLimits(ParsedMessage message) {
        long encoded = message.attachments().stream()
                .mapToLong(a -> a.base64().readableBytes())
                .sum();
        long text = (message.text() == null ? 0 : message.text().length())
                + (message.html() == null ? 0 : message.html().length());
        assertThat(encoded)
                .isLessThanOrEqualTo(LIMITS.maxTotalDecodedSize() / 3 * 4
                        + 4 * message.attachments().size());
        assertThat(text).isLessThanOrEqualTo(LIMITS.maxTotalDecodedSize() * 2 + 64);
        assertThat(message.subject()).isNotBlank();
        assertThat(message.text() != null || message.html() != null).isTrue();
        for (Attachment attachment : message.attachments()) {
            assertThat(attachment.filename()).matches("^[a-zA-Z0-9-_]+\\.(csv|doc|docx|ics|jpeg|pdf|png|xls|xlsx)$");
        }
        for (String tag : message.tags()) {
            assertThat(tag).matches("^[a-zA-Z0-9-_]+$");
        }
    }

    private static TransformResult run(byte[] input, Random random) {
        return Transforms.transform(input, CONFIG, () -> 1 + random.nextInt(random.nextBoolean() ? 16 : 4096));
    }

    private static byte[] mutate(byte[] original, Random random) {
        byte[] data = original;
        int mutations = 1 + random.nextInt(8);
        for (int m = 0; m < mutations; m++) {
            int at = random.nextInt(data.length + 1);
            switch (random.nextInt(6)) {
                case 0 -> {
                    data = data.clone();
                    if (at < data.length) {
                        data[at] = (byte) random.nextInt(256);
                    }
                }
                case 1 -> data = splice(data, at, Math.min(data.length, at + random.nextInt(64)), new byte[0]);
                case 2 -> data = splice(data, at, at, FRAGMENTS[random.nextInt(FRAGMENTS.length)]);
                case 3 -> {
                    int from = random.nextInt(data.length + 1);
                    int to = Math.min(data.length, from + random.nextInt(512));
                    data = splice(data, at, at, Arrays.copyOfRange(data, from, to));
                }
                case 4 -> data = Arrays.copyOf(data, at);
                default -> data = splice(data, at, at, bytes("\r\n" + "x".repeat(random.nextInt(200)) + "\r\n"));
            }
        }
        return data;
    }

    private static byte[] splice(byte[] data, int from, int to, byte[] insert) {
        byte[] out = new byte[data.length - (to - from) + insert.length];
        System.arraycopy(data, 0, out, 0, from);
        System.arraycopy(insert, 0, out, from, insert.length);
        System.arraycopy(data, to, out, from + insert.length, data.length - to);
        return out;
    }

    private static List<byte[]> corpus() throws IOException {
        try (var files = Files.list(GoldenMessagesTest.CORPUS)) {
            return files.filter(p -> p.toString().endsWith(".eml"))
                    .sorted()
                    .map(TransformerFuzzTest::read)
                    .toList();
        }
    }

    private static byte[] read(Path path) {
        try {
            return Files.readAllBytes(path);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}
