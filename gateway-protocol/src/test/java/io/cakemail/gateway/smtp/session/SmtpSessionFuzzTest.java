package io.cakemail.gateway.smtp.session;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.cakemail.gateway.smtp.SmtpServerConfig;
import io.cakemail.gateway.testing.RecordingReceiver;
import io.cakemail.gateway.testing.TestAuthenticator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;

/**
 * Coverage-guided fuzzing of a whole SMTP session (the decoder, the commands, SASL PLAIN and LOGIN, paths and MAIL
 * parameters, DATA and BDAT) with Jazzer: {@code benchmarks/fuzz.sh} fuzzes it, and {@code mvn verify} runs the inputs
 * kept in {@code SmtpSessionFuzzTestInputs} (what a client sends, as text) as regression tests. Whatever a client sends,
 * in whatever pieces: every reply is a well-formed SMTP reply (a code, one line of printable ASCII at most 512 octets
 * with its CRLF, an enhanced status code on every refusal), nothing is written after the connection closed, and every
 * buffer the session was given is released.
 */
class SmtpSessionFuzzTest {

    private static final SmtpServerConfig CONFIG = SmtpServerConfig.builder()
            .hostname("mx.test")
            .tlsRequiredForAuth(false)
            .build();
    private static final Pattern REPLY_LINE = Pattern.compile("[2-5][0-9][0-9][ -][\\x20-\\x7e]*");
    private static final Pattern REFUSAL = Pattern.compile("[45][0-9][0-9][ -][45]\\.[0-9]{1,3}\\.[0-9]{1,3} .+");
    private static final int MAX_READS = 12;

    @FuzzTest(maxDuration = "")
    // no control octet: Jazzer writes the entries to libFuzzer's dictionary file as they are
    @DictionaryEntries({
        "EHLO a",
        "HELO a",
        "AUTH PLAIN AHVzZXJAZXhhbXBsZS5jb20AczNjcmV0IHDDpHNzd29yZA==",
        "AUTH LOGIN",
        "dXNlckBleGFtcGxlLmNvbQ==",
        "MAIL FROM:<a@example.com>",
        " SIZE=100",
        " BODY=8BITMIME",
        " SMTPUTF8",
        " AUTH=<>",
        "RCPT TO:<b@example.net>",
        "DATA",
        ".",
        "BDAT 5 LAST",
        "RSET",
        "STARTTLS"
    })
    void everyReplyIsWellFormedWhateverTheClientSends(byte[] input) {
        SessionHarness session =
                new SessionHarness(CONFIG, TestAuthenticator.immediate(), RecordingReceiver.accepting());
        List<ByteBuf> fed = new ArrayList<>();
        StringBuilder replies = new StringBuilder(session.replies());
        Random random = new Random(Arrays.hashCode(input)); // the same reads each time an input is run
        int[] splits = random.ints(random.nextInt(MAX_READS), 0, input.length + 1)
                .sorted()
                .toArray();
        int from = 0;
        for (int i = 0; i <= splits.length && session.isOpen(); i++) {
            int to = i < splits.length ? splits[i] : input.length;
            fed.add(Unpooled.copiedBuffer(input, from, to - from));
            session.channel.writeInbound(fed.get(fed.size() - 1));
            replies.append(session.runPendingTasks());
            from = to;
        }
        boolean closed = !session.isOpen();
        session.close();
        assertThat(session.replies()).as("written after the session ended").isEmpty();
        for (ByteBuf buf : fed) {
            assertThat(buf.capacity() == 0 || buf.refCnt() == 0)
                    .as("a buffer the session was given, released")
                    .isTrue();
        }
        assertWellFormed(replies.toString(), closed);
    }

    private static void assertWellFormed(String replies, boolean closed) {
        assertThat(replies).endsWith("\r\n");
        String[] lines = replies.split("\r\n", -1);
        for (int i = 0; i < lines.length - 1; i++) {
            String line = lines[i];
            assertThat(line).as("a reply line").matches(REPLY_LINE);
            assertThat(line.getBytes(StandardCharsets.US_ASCII).length + 2)
                    .as(line)
                    .isLessThanOrEqualTo(512);
            if (line.charAt(0) >= '4' && i > 0) { // the greeting is never a refusal here
                assertThat(line).as("a refusal with its enhanced status code").matches(REFUSAL);
            }
        }
    }
}
