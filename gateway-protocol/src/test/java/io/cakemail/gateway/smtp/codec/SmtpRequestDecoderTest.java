package io.cakemail.gateway.smtp.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.cakemail.gateway.smtp.BareLineEndingPolicy;
import io.cakemail.gateway.smtp.SmtpServerConfig;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SmtpRequestDecoderTest {

    private static final String PIPELINED_TRANSACTION = "EHLO client.example\r\n"
            + "AUTH PLAIN AHVzZXIAc2VjcmV0\r\n"
            + "MAIL FROM:<sender@example.com> SIZE=100 BODY=8BITMIME\r\n"
            + "RCPT TO:<one@example.com>\r\n"
            + "RCPT TO:<two@example.com>\r\n"
            + "DATA\r\n"
            + "Subject: hi\r\n"
            + "\r\n"
            + "..leading dot\r\n"
            + ".\r\n"
            + "QUIT\r\n";

    private static final List<String> PIPELINED_EVENTS = List.of(
            "EHLO client.example",
            "AUTH PLAIN AHVzZXIAc2VjcmV0",
            "MAIL FROM:<sender@example.com> SIZE=100 BODY=8BITMIME",
            "RCPT TO:<one@example.com>",
            "RCPT TO:<two@example.com>",
            "DATA",
            "CONTENT Subject: hi\r\n\r\n.leading dot\r\n",
            "LAST",
            "QUIT");

    private static final String BDAT_TRANSACTION = "MAIL FROM:<>\r\n"
            + "RCPT TO:<rcpt@example.com>\r\n"
            + "BDAT 12\r\n"
            + "Subject: x\r\n"
            + "BDAT 9 LAST\r\n"
            + "\r\n.\r\nbody"
            + "RSET\r\n";

    private static final List<String> BDAT_EVENTS = List.of(
            "MAIL FROM:<>",
            "RCPT TO:<rcpt@example.com>",
            "BDAT 12",
            "CONTENT Subject: x\r\n",
            "BDAT 9 LAST",
            "CONTENT \r\n.\r\nbody",
            "LAST",
            "RSET");

    @Test
    void decodesAPipelinedTransactionInOneBuffer() {
        assertThat(DecodedEvents.decode(bytes(PIPELINED_TRANSACTION))).isEqualTo(PIPELINED_EVENTS);
    }

    @Test
    void decodesAPipelinedTransactionFedOneByteAtATime() {
        assertThat(DecodedEvents.decodeByteByByte(
                        new SmtpRequestDecoder(SmtpServerConfig.DEFAULT), bytes(PIPELINED_TRANSACTION)))
                .isEqualTo(PIPELINED_EVENTS);
    }

    @Test
    void decodesAPipelinedTransactionSplitAtEveryPoint() {
        assertEverySplitDecodesTo(PIPELINED_TRANSACTION, PIPELINED_EVENTS);
    }

    @Test
    void decodesAPipelinedTransactionSplitAtEveryPairOfPointsInTheBody() {
        byte[] input = bytes(PIPELINED_TRANSACTION);
        int bodyStart = PIPELINED_TRANSACTION.indexOf("DATA\r\n");
        for (int first = bodyStart; first < input.length; first++) {
            for (int second = first; second < input.length; second++) {
                assertThat(DecodedEvents.decode(input, first, second))
                        .as("split at %d and %d", first, second)
                        .isEqualTo(PIPELINED_EVENTS);
            }
        }
    }

    @Test
    void decodesBdatChunksSplitAtEveryPoint() {
        assertEverySplitDecodesTo(BDAT_TRANSACTION, BDAT_EVENTS);
        assertThat(DecodedEvents.decodeByteByByte(
                        new SmtpRequestDecoder(SmtpServerConfig.DEFAULT), bytes(BDAT_TRANSACTION)))
                .isEqualTo(BDAT_EVENTS);
    }

    @Test
    void emptyLastBdatChunkEndsTheMessage() {
        assertThat(DecodedEvents.decode(bytes("BDAT 3\r\nabcBDAT 0 LAST\r\nNOOP\r\n")))
                .containsExactly("BDAT 3", "CONTENT abc", "BDAT 0 LAST", "LAST", "NOOP");
    }

    @Test
    void zeroLengthIntermediateBdatChunkCarriesNoContent() {
        assertThat(DecodedEvents.decode(bytes("BDAT 0\r\nNOOP\r\n"))).containsExactly("BDAT 0", "NOOP");
    }

    @ParameterizedTest
    @ValueSource(strings = {"BDAT", "BDAT x", "BDAT -1", "BDAT 10 LASTLY", "BDAT 1234567890123456789", "BDAT 5 LAST x"})
    void malformedBdatIsAFailedRequest(String line) {
        assertThat(DecodedEvents.decode(bytes(line + "\r\n"))).containsExactly("BDAT failed: Syntax: BDAT size [LAST]");
    }

    @Test
    void bdatSizeIsBinaryCleanIncludingDotsAndBareLineEndings() {
        String chunk = ".\r\n\n.\n\r.\r\0";
        assertThat(DecodedEvents.decode(bytes("BDAT " + chunk.length() + " LAST\r\n" + chunk)))
                .containsExactly("BDAT " + chunk.length() + " LAST", "CONTENT " + chunk, "LAST");
    }

    @Test
    void verbsAreCaseInsensitiveAndUnknownVerbsDecode() {
        assertThat(DecodedEvents.decode(bytes("ehlo x\r\nMaIl FROM:<a@b>\r\nXYZZY plugh\r\nQUIT\r\n")))
                .containsExactly("EHLO x", "MAIL FROM:<a@b>", "UNKNOWN plugh", "QUIT");
    }

    @Test
    void utf8ArgumentsDecode() {
        assertThat(DecodedEvents.decode(bytes("MAIL FROM:<jösé@exämple.com> SMTPUTF8\r\n")))
                .containsExactly("MAIL FROM:<jösé@exämple.com> SMTPUTF8");
    }

    @Test
    void dotStuffingIsUndoneAtEveryLineStartAndOnlyThere() {
        String body = "..\r\n...two\r\nmid.dle\r\n.x\r\n";
        assertThat(DecodedEvents.decode(bytes("DATA\r\n" + body + ".\r\n")))
                .containsExactly("DATA", "CONTENT .\r\n..two\r\nmid.dle\r\nx\r\n", "LAST");
    }

    @Test
    void anEmptyMessageEndsAtOnce() {
        assertThat(DecodedEvents.decode(bytes("DATA\r\n.\r\nNOOP\r\n"))).containsExactly("DATA", "LAST", "NOOP");
    }

    @ParameterizedTest
    @ValueSource(strings = {"\n.\n", "\r.\r", "\n.\r\n", "\r\n.\n", "\r\n.\r", "\r.\r\n"})
    void smugglingSequencesNeverEndTheMessage(String sequence) {
        String input = "DATA\r\nbody" + sequence + "MAIL FROM:<evil@example.com>\r\n.\r\n";
        List<String> events = DecodedEvents.decode(bytes(input));
        assertThat(events).hasSize(3);
        assertThat(events.get(0)).isEqualTo("DATA");
        assertThat(events.get(1)).startsWith("CONTENT body").contains("MAIL FROM:<evil@example.com>");
        assertThat(events.get(2)).isEqualTo("LAST");
    }

    @Test
    void bareLineEndingsAreNormalizedToCrlfByDefault() {
        assertThat(DecodedEvents.decode(bytes("DATA\r\na\nb\rc\r\n.\r\n")))
                .containsExactly("DATA", "CONTENT a\r\nb\r\nc\r\n", "LAST");
    }

    @Test
    void aNormalizedBareLfDoesNotStartALineForDotHandling() {
        assertThat(DecodedEvents.decode(bytes("DATA\r\na\n.\r\n.\r\n")))
                .containsExactly("DATA", "CONTENT a\r\n.\r\n", "LAST");
    }

    @Test
    void bareLineEndingsFailTheMessageUnderTheRejectPolicy() {
        SmtpRequestDecoder decoder = new SmtpRequestDecoder(2048, BareLineEndingPolicy.REJECT);
        assertThat(DecodedEvents.decode(decoder, bytes("DATA\r\na\nb\r\n.\r\nNOOP\r\n"), 9))
                .containsExactly(
                        "DATA",
                        "CONTENT a\nb\r\n",
                        "LAST failed: Message contains a bare CR or LF; lines must end with CRLF",
                        "NOOP");
    }

    @Test
    void theFlagOfARejectedMessageDoesNotCarryOverToTheNext() {
        SmtpRequestDecoder decoder = new SmtpRequestDecoder(2048, BareLineEndingPolicy.REJECT);
        assertThat(DecodedEvents.decode(decoder, bytes("DATA\r\na\n\r\n.\r\nDATA\r\nok\r\n.\r\n")))
                .endsWith("DATA", "CONTENT ok\r\n", "LAST");
    }

    @Test
    void commandLinesMustEndWithCrlf() {
        assertThat(DecodedEvents.decode(bytes("NOOP\nRSET\r\n")))
                .containsExactly("NOOP failed: Line must end with CRLF", "RSET");
    }

    @Test
    void commandLinesMustNotHoldNulOrBareCr() {
        assertThat(DecodedEvents.decode(bytes("NOOP a\0b\r\nNOOP a\rb\r\nNOOP\r\n")))
                .containsExactly(
                        "NOOP failed: NUL character in command line", "NOOP failed: Bare CR in command line", "NOOP");
    }

    @Test
    void tooLongLinesAreDiscardedAndReportedOnce() {
        String longLine = "NOOP " + "x".repeat(5000) + "\r\n";
        List<String> expected = List.of("UNKNOWN failed: Line too long (maximum 2048 octets)", "NOOP");
        assertThat(DecodedEvents.decode(bytes(longLine + "NOOP\r\n"))).isEqualTo(expected);
        assertThat(DecodedEvents.decode(bytes(longLine + "NOOP\r\n"), 100, 2047, 2048, 2049, 4000))
                .isEqualTo(expected);
    }

    @Test
    void aLineOfExactlyTheMaximumLengthIsAccepted() {
        SmtpRequestDecoder decoder = new SmtpRequestDecoder(512, BareLineEndingPolicy.NORMALIZE);
        String line = "NOOP " + "x".repeat(512 - 7);
        assertThat(DecodedEvents.decode(decoder, bytes(line + "\r\n"))).containsExactly(line);
        decoder = new SmtpRequestDecoder(512, BareLineEndingPolicy.NORMALIZE);
        assertThat(DecodedEvents.decode(decoder, bytes(line + "x\r\n")))
                .containsExactly("UNKNOWN failed: Line too long (maximum 512 octets)");
    }

    @Test
    void saslResponsesAreLinesNotCommands() {
        assertThat(DecodedEvents.decode(bytes("AUTH LOGIN\r\nRVhQTg==\r\nNOOP\r\n"), 13))
                .containsExactly("AUTH LOGIN", "SASL RVhQTg==", "NOOP");
    }

    @Test
    void discardBufferedInputDropsWhatWasPipelinedAfterStartTls() {
        SmtpRequestDecoder decoder = new SmtpRequestDecoder(SmtpServerConfig.DEFAULT);
        EmbeddedChannel channel = new EmbeddedChannel(decoder);
        channel.pipeline().addLast(new io.netty.channel.ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(io.netty.channel.ChannelHandlerContext ctx, Object msg) {
                if (((SmtpRequest) msg).command() == SmtpCommand.STARTTLS) {
                    decoder.discardBufferedInput();
                }
                ctx.fireChannelRead(msg);
            }
        });
        channel.writeInbound(
                Unpooled.copiedBuffer("STARTTLS\r\nMAIL FROM:<injected@example.com>\r\n", StandardCharsets.US_ASCII));
        channel.writeInbound(Unpooled.copiedBuffer("EHLO after\r\n", StandardCharsets.US_ASCII));
        assertThat(channel.<SmtpRequest>readInbound().command()).isEqualTo(SmtpCommand.STARTTLS);
        assertThat(channel.<SmtpRequest>readInbound().toString()).isEqualTo("EHLO after");
        assertThat(channel.<Object>readInbound()).isNull();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void pauseHoldsInputUntilResumeAndStopsReadsOnlyWhenOctetsArrive() {
        SmtpRequestDecoder decoder = new SmtpRequestDecoder(SmtpServerConfig.DEFAULT);
        EmbeddedChannel channel = new EmbeddedChannel(decoder);
        decoder.pause();
        assertThat(channel.config().isAutoRead())
                .as("a pause alone leaves reads on")
                .isTrue();
        channel.writeInbound(Unpooled.copiedBuffer("NOOP\r\nRSET\r\n", StandardCharsets.US_ASCII));
        assertThat(channel.<Object>readInbound()).isNull();
        assertThat(channel.config().isAutoRead())
                .as("octets while paused stop reads")
                .isFalse();
        decoder.resume();
        assertThat(channel.config().isAutoRead()).isTrue();
        assertThat(channel.<SmtpRequest>readInbound().command()).isEqualTo(SmtpCommand.NOOP);
        assertThat(channel.<SmtpRequest>readInbound().command()).isEqualTo(SmtpCommand.RSET);
        decoder.pause();
        decoder.resume();
        assertThat(channel.config().isAutoRead()).isTrue();
        assertThat(channel.finish()).isFalse();
    }

    private static void assertEverySplitDecodesTo(String conversation, List<String> expected) {
        byte[] input = bytes(conversation);
        for (int split = 1; split < input.length; split++) {
            assertThat(DecodedEvents.decode(input, split))
                    .as("split at %d", split)
                    .isEqualTo(expected);
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
