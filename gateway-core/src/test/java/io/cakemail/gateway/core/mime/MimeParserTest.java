package io.cakemail.gateway.core.mime;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The parser's events, for whole messages and for the same messages cut at every octet, in two and three chunks. */
class MimeParserTest {

    private static final String MULTIPART = "Content-Type: multipart/mixed; boundary=b\r\n\r\n";

    @Test
    void partsAndTheirContentComeInOrder() {
        String message = MULTIPART + "preamble\r\n--b\r\nContent-Type: text/plain\r\n\r\none\r\ntwo\r\n"
                + "--b\r\nContent-Transfer-Encoding: base64\r\n\r\naGk=\r\n--b--\r\nepilogue\r\n";
        assertThat(parse(message, message.length()))
                .containsExactly(
                        "start 0 multipart/mixed",
                        "start 1 text/plain",
                        "content one\r\ntwo",
                        "end",
                        "start 1 text/plain",
                        "content hi",
                        "end",
                        "end");
    }

    @Test
    void theLineBreakBeforeADelimiterIsNotContentButABareCrBeforeItIs() {
        String message = MULTIPART + "--b\r\n\r\na\r\r\n--b--\r\n";
        assertThat(parse(message, message.length())).contains("content a\r");
        assertSameAtEverySplit(message);
    }

    @Test
    void aLineLongerThanAnyDelimiterThatStartsWithDashesIsContent() {
        String message = MULTIPART + "--b\r\n\r\n" + "-".repeat(1500) + "\r\r\n--b--\r\n";
        assertThat(parse(message, message.length())).contains("content " + "-".repeat(1500) + "\r");
        assertSameAtEverySplit(message);
    }

    @ValueSource(
            strings = {
                "From sender@example.com Mon Jan 1\r\nSubject: mbox\r\n\r\nbody\r\n",
                "Subject: folded\r\n continued\r\nNot a header line\r\nbody\r\n",
                "Content-Type: multipart/alternative; boundary=\"x\"\r\n\r\n--x\r\n\r\nplain\n--x  \r\n\r\nbare LF\n--x--",
                "Content-Type: multipart/mixed; boundary=o\r\n\r\n--o\r\nContent-Type: multipart/related; boundary=i\r\n"
                        + "\r\n--i\r\n\r\ninner never closed\r\n--o\r\n\r\nnext\r\n--o--\r\n",
                "Content-Transfer-Encoding: quoted-printable\r\n\r\nsoft=\r\nbreak =C3=A9\r\n",
                // found by MessageTransformFuzzTest: a bare LF at the end of a chunk came out as CRLF
                "Subject: bare LF\r\n\r\nven\r(\n\r\nHello.\r\n",
                "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\nbare\n-not a delimiter\nend\r\n--b--\r\n",
            })
    @ParameterizedTest
    void theEventsDoNotDependOnWhereTheInputIsCut(String message) {
        assertSameAtEverySplit(message);
    }

    @Test
    void aHeaderBlockOverItsLimitIsASizeViolationHoweverItArrives() {
        MimeLimits limits = new MimeLimits(10, 10, 50, 100, 10_000, 100_000);
        String message = "Subject: " + "x".repeat(200) + "\r\n\r\nbody\r\n";
        for (int chunk : new int[] {message.length(), 7}) {
            assertThat(parse(message, chunk, limits))
                    .containsExactly("violation size a part's header block is larger than 100 octets");
        }
    }

    @Test
    void tooManyHeaderFieldsIsAStructuralViolation() {
        MimeLimits limits = new MimeLimits(10, 10, 2, 1000, 10_000, 100_000);
        assertThat(parse("A: 1\r\nB: 2\r\nC: 3\r\n\r\nbody", 100, limits))
                .containsExactly("violation structure a part has more than 2 header fields");
    }

    private static void assertSameAtEverySplit(String message) {
        List<String> whole = parse(message, message.length());
        byte[] bytes = message.getBytes(StandardCharsets.ISO_8859_1);
        for (int i = 1; i < bytes.length; i++) {
            assertThat(parse(bytes, MimeLimits.DEFAULT, i, bytes.length))
                    .as("cut at %d", i)
                    .isEqualTo(whole);
            for (int j = i + 1; j < bytes.length; j += 7) {
                assertThat(parse(bytes, MimeLimits.DEFAULT, i, j))
                        .as("cut at %d and %d", i, j)
                        .isEqualTo(whole);
            }
        }
    }

    private static List<String> parse(String message, int chunk) {
        return parse(message, chunk, MimeLimits.DEFAULT);
    }

    private static List<String> parse(String message, int chunk, MimeLimits limits) {
        byte[] bytes = message.getBytes(StandardCharsets.ISO_8859_1);
        Recorder recorder = new Recorder();
        try (MimeParser parser = new MimeParser(limits, recorder, UnpooledByteBufAllocator.DEFAULT)) {
            for (int from = 0; from < bytes.length; from += chunk) {
                feed(parser, bytes, from, Math.min(bytes.length, from + chunk));
            }
            parser.finish();
        }
        return recorder.events();
    }

    /** Parses {@code bytes} in three chunks, cut at {@code first} and {@code second}. */
    private static List<String> parse(byte[] bytes, MimeLimits limits, int first, int second) {
        Recorder recorder = new Recorder();
        try (MimeParser parser = new MimeParser(limits, recorder, UnpooledByteBufAllocator.DEFAULT)) {
            feed(parser, bytes, 0, first);
            feed(parser, bytes, first, second);
            feed(parser, bytes, second, bytes.length);
            parser.finish();
        }
        return recorder.events();
    }

    private static void feed(MimeParser parser, byte[] bytes, int from, int to) {
        ByteBuf chunk = Unpooled.wrappedBuffer(bytes, from, to - from);
        try {
            parser.feed(chunk);
        } finally {
            chunk.release();
        }
    }

    /** The parse as lines of text; consecutive content is joined, since how it is cut into calls may vary. */
    private static final class Recorder implements MimeParser.Handler {
        private final List<String> events = new ArrayList<>();
        private final StringBuilder content = new StringBuilder();

        @Override
        public void startPart(MimeHeaders headers, int depth) {
            flush();
            events.add("start " + depth + " " + headers.contentType().mediaType());
        }

        @Override
        public void content(ByteBuf decoded) {
            content.append(decoded.toString(StandardCharsets.ISO_8859_1));
        }

        @Override
        public void endPart() {
            flush();
            events.add("end");
        }

        @Override
        public void violation(MimeViolation violation) {
            flush();
            events.add("violation " + (violation.sizeLimit() ? "size " : "structure ") + violation.reason());
        }

        List<String> events() {
            flush();
            return events;
        }

        private void flush() {
            if (content.length() > 0) {
                events.add("content " + content);
                content.setLength(0);
            }
        }
    }
}
