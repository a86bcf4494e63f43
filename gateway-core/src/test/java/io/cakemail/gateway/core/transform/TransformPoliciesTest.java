package io.cakemail.gateway.core.transform;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.cakemail.gateway.core.json.SubmissionBody;
import io.cakemail.gateway.core.json.SubmissionJson;
import io.cakemail.gateway.core.mime.MimeLimits;
import io.cakemail.gateway.testkit.ApiContract;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Base64;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TransformPoliciesTest {

    private static final TransformConfig DEFAULT = TransformConfig.DEFAULT;

    @Test
    void unsupportedAttachmentsCanBeOmitted() throws IOException {
        JsonNode outcome = Transforms.whole(
                corpus("unsupported-zip"),
                with(TransformConfig.UnsupportedAttachments.OMIT, DEFAULT.inlineImages(), DEFAULT.missingContent()));
        assertThat(outcome.at("/body/content/text").asText()).isEqualTo("The archive is attached.");
        assertThat(outcome.at("/body/attachment").isMissingNode()).isTrue();
    }

    @Test
    void inlineImagesCanBecomeDataUris() throws IOException {
        JsonNode outcome = Transforms.whole(
                corpus("outlook-related-inline-image"),
                with(
                        DEFAULT.unsupportedAttachments(),
                        TransformConfig.InlineImages.DATA_URI,
                        DEFAULT.missingContent()));
        assertThat(outcome.at("/body/content/html").asText())
                .contains("<img src=\"data:image/png;base64,iVBORw0KGgo")
                .doesNotContain("cid:");
        assertThat(outcome.at("/body/attachment").isMissingNode()).isTrue();
    }

    @Test
    void aDataUriNeedsNoSupportedTypeButAnUnreferencedImageDoes() {
        TransformConfig dataUri =
                with(DEFAULT.unsupportedAttachments(), TransformConfig.InlineImages.DATA_URI, DEFAULT.missingContent());
        JsonNode referenced = Transforms.whole(related("<img src=\"cid:a@x\"><img src=\"cid:b@x\">"), dataUri);
        assertThat(referenced.at("/body/content/html").asText())
                .isEqualTo(
                        "<img src=\"data:image/png;base64,iVBORw0KGgo=\"><img src=\"data:image/gif;base64,R0lGODlh\">");
        assertThat(referenced.at("/body/attachment").isMissingNode()).isTrue();

        JsonNode unreferenced = Transforms.whole(related("<img src=\"cid:a@x\">"), dataUri);
        assertThat(unreferenced.at("/refused/enhanced_status").asText()).isEqualTo("5.6.1");
        assertThat(unreferenced.at("/refused/reason").asText()).startsWith("attachment (unnamed) (image/gif)");
    }

    /** Mail clients show the first part with a Content-ID; the second keeps its content as an attachment. */
    @Test
    void aSecondInlineImageWithTheSameContentIdIsAttachedNotLost() {
        TransformConfig dataUri =
                with(DEFAULT.unsupportedAttachments(), TransformConfig.InlineImages.DATA_URI, DEFAULT.missingContent());
        byte[] message = bytes("Subject: logos\r\nContent-Type: multipart/related; boundary=r\r\n\r\n"
                + "--r\r\nContent-Type: text/html\r\n\r\n<img src=\"cid:a@x\">\r\n"
                + "--r\r\nContent-Type: image/png\r\nContent-ID: <a@x>\r\n"
                + "Content-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=\r\n"
                + "--r\r\nContent-Type: image/png\r\nContent-ID: <a@x>\r\n"
                + "Content-Transfer-Encoding: base64\r\n\r\nAAAA\r\n--r--\r\n");
        JsonNode outcome = Transforms.whole(message, dataUri);
        assertThat(outcome.at("/body/content/html").asText())
                .isEqualTo("<img src=\"data:image/png;base64,iVBORw0KGgo=\">");
        assertThat(outcome.at("/body/attachment/0/content").asText()).isEqualTo("AAAA");
    }

    private static byte[] related(String html) {
        return bytes("Subject: logos\r\nContent-Type: multipart/related; boundary=r\r\n\r\n"
                + "--r\r\nContent-Type: text/html\r\n\r\n" + html + "\r\n"
                + "--r\r\nContent-Type: image/png\r\nContent-ID: <a@x>\r\n"
                + "Content-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=\r\n"
                + "--r\r\nContent-Type: image/gif\r\nContent-ID: <b@x>\r\n"
                + "Content-Transfer-Encoding: base64\r\n\r\nR0lGODlh\r\n--r--\r\n");
    }

    @Test
    void inlineImagesCanBeRefused() throws IOException {
        JsonNode outcome = Transforms.whole(
                corpus("outlook-related-inline-image"),
                with(DEFAULT.unsupportedAttachments(), TransformConfig.InlineImages.REFUSE, DEFAULT.missingContent()));
        assertThat(outcome.at("/refused/enhanced_status").asText()).isEqualTo("5.6.1");
        assertThat(outcome.at("/refused/reason").asText()).startsWith("inline image 'image001.png' (image/png)");
    }

    @Test
    void missingSubjectAndBodyCanGetPlaceholders() throws IOException {
        TransformConfig placeholders = with(
                DEFAULT.unsupportedAttachments(), DEFAULT.inlineImages(), TransformConfig.MissingContent.PLACEHOLDER);
        assertThat(Transforms.whole(corpus("no-subject"), placeholders)
                        .at("/body/content/subject")
                        .asText())
                .isEqualTo("(no subject)");
        JsonNode scan = Transforms.whole(corpus("attachment-only"), placeholders);
        assertThat(scan.at("/body/content/text").asText()).isEqualTo("(no text)");
        assertThat(scan.at("/body/attachment/0/filename").asText()).isEqualTo("scan0001.pdf");
    }

    @Test
    void aLargeAttachmentSurvivesDecodingAndReencoding() {
        byte[] pdf = new byte[1024 * 1024 + 7];
        new Random(7).nextBytes(pdf);
        byte[] message = withAttachment(pdf, "application/pdf", "big.pdf");
        JsonNode outcome = Transforms.randomChunks(message, DEFAULT, new Random(1), 64 * 1024);
        assertThat(outcome.at("/body/attachment/0/content").asText())
                .isEqualTo(Base64.getEncoder().encodeToString(pdf));
    }

    @Test
    void aLargeTextBodyKeepsEveryLineWhateverChunkBoundariesCut() {
        StringBuilder body = new StringBuilder();
        Random random = new Random(3);
        while (body.length() < 300_000) {
            body.append("line ")
                    .append(body.length())
                    .append(" é ")
                    .append("x".repeat(random.nextInt(90)))
                    .append("\r\n");
        }
        byte[] message = bytes("Subject: long\r\nContent-Type: text/plain; charset=utf-8\r\n"
                + "Content-Transfer-Encoding: 8bit\r\n\r\n" + body);
        String expected = body.toString().replace("\r\n", "\n").stripTrailing(); // the last break goes with the end
        for (int chunk : new int[] {1, 4095, 4096, 65_537}) {
            JsonNode outcome = Transforms.randomChunks(message, DEFAULT, new Random(chunk), chunk);
            assertThat(outcome.at("/body/content/text").asText()).isEqualTo(expected);
        }
    }

    @Test
    void bareCarriageReturnsAndEitherCharsetSurviveEveryCut() {
        String text = "caf\u00e9 \"quoted\"\r\nna\u00efve\rback\\slash\r\n\r\nend\r";
        for (String charset : new String[] {"utf-8", "iso-8859-1"}) {
            byte[] encoded =
                    text.getBytes(charset.equals("utf-8") ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
            byte[] message = bytes("Subject: cr\r\nContent-Type: text/plain; charset=" + charset + "\r\n"
                    + "Content-Transfer-Encoding: base64\r\n\r\n"
                    + Base64.getEncoder().encodeToString(encoded) + "\r\n");
            for (int chunk = 1; chunk <= 9; chunk++) {
                JsonNode outcome = Transforms.randomChunks(message, DEFAULT, new Random(chunk), chunk);
                assertThat(outcome.at("/body/content/text").asText())
                        .as("%s in chunks up to %d", charset, chunk)
                        .isEqualTo("caf\u00e9 \"quoted\"\nna\u00efve\rback\\slash\n\nend\r");
            }
        }
    }

    @Test
    void anAttachmentOverTheLimitIsRefusedAsTooLarge() {
        TransformConfig small = new TransformConfig(
                new MimeLimits(10, 500, 1000, 65536, 1000, 1_000_000),
                DEFAULT.unsupportedAttachments(),
                DEFAULT.inlineImages(),
                DEFAULT.missingContent());
        JsonNode outcome = Transforms.whole(withAttachment(new byte[1001], "application/pdf", "big.pdf"), small);
        assertThat(outcome.get("refused"))
                .isEqualTo(refusal(552, "5.3.4", "attachment 'big.pdf' is larger than 1000 octets"));
    }

    @Test
    void decodedContentOverTheLimitIsRefusedAsTooLarge() {
        TransformConfig small = new TransformConfig(
                new MimeLimits(10, 500, 1000, 65536, 10_000, 2000),
                DEFAULT.unsupportedAttachments(),
                DEFAULT.inlineImages(),
                DEFAULT.missingContent());
        JsonNode outcome = Transforms.whole(withAttachment(new byte[2500], "application/pdf", "a.pdf"), small);
        assertThat(outcome.at("/refused/code").asInt()).isEqualTo(552);
        assertThat(outcome.at("/refused/reason").asText()).contains("decoded content is larger than 2000 octets");
    }

    @Test
    void structuralLimitsAreRefusedAsBadContentAndSizeLimitsAsTooLarge() {
        MimeLimits limits = new MimeLimits(10, 3, 5, 300, 10_000, 100_000);
        TransformConfig small = new TransformConfig(
                limits, DEFAULT.unsupportedAttachments(), DEFAULT.inlineImages(), DEFAULT.missingContent());
        String headers = "Subject: x\r\n" + "X-A: 1\r\n".repeat(6) + "\r\nbody\r\n";
        assertThat(Transforms.whole(bytes(headers), small).get("refused"))
                .isEqualTo(refusal(554, "5.6.0", "a part has more than 5 header fields"));
        String longHeader = "Subject: " + "y".repeat(400) + "\r\n\r\nbody\r\n";
        assertThat(Transforms.whole(bytes(longHeader), small).get("refused"))
                .isEqualTo(refusal(552, "5.3.4", "a part's header block is larger than 300 octets"));
        String parts = "Subject: x\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
                + "--b\r\n\r\none\r\n".repeat(3) + "--b--\r\n";
        assertThat(Transforms.whole(bytes(parts), small).get("refused"))
                .isEqualTo(refusal(554, "5.6.0", "the message has more than 3 MIME parts"));
    }

    @Test
    void aControlHeaderTheGatewayCannotHonourIsRefused() {
        assertThat(Transforms.whole(bytes("Subject: x\r\nX-Email-Api-Type: newsletter\r\n\r\nbody\r\n"), DEFAULT)
                        .at("/refused/reason")
                        .asText())
                .isEqualTo("X-Email-Api-Type: 'newsletter' (expected: marketing or transactional)");
        assertThat(Transforms.whole(bytes("Subject: x\r\nX-Track-Opens: maybe\r\n\r\nbody\r\n"), DEFAULT)
                        .at("/refused/reason")
                        .asText())
                .isEqualTo("X-Track-Opens: 'maybe' (expected: true or false)");
        assertThat(Transforms.whole(bytes("Subject: x\r\nX-SMTPAPI: {not json\r\n\r\nbody\r\n"), DEFAULT)
                        .at("/refused/reason")
                        .asText())
                .isEqualTo("X-SMTPAPI is not valid JSON");
    }

    @Test
    void theContractCatchesAnInvalidBody() throws IOException {
        JsonNode invalid = Transforms.JSON.readTree(
                "{\"email\":\"a@example.com\",\"content\":{\"subject\":\"\",\"type\":\"newsletter\"},"
                        + "\"attachment\":[{\"filename\":\"a b.zip\",\"type\":\"zip\",\"content\":\"x\"}]}");
        assertThat(ApiContract.violations(invalid)).hasSizeGreaterThanOrEqualTo(4);
    }

    /** Small bodies are copied behind each recipient's prefix, large ones shared: the JSON is the same either way. */
    @ParameterizedTest
    @ValueSource(ints = {0, SubmissionBody.COPY_LIMIT})
    void eachRecipientGetsTheSameBodyWithItsOwnAddress(int extraText) throws IOException {
        String sentence = "Please find your invoice attached.";
        String line = "\r\nLorem ipsum dolor sit amet.";
        String source = new String(corpus("nodemailer-attachment"), StandardCharsets.US_ASCII)
                .replace(sentence, sentence + line.repeat(extraText / line.length()));
        try (MessageTransformer transformer = new MessageTransformer(DEFAULT, PooledByteBufAllocator.DEFAULT)) {
            ByteBuf chunk =
                    PooledByteBufAllocator.DEFAULT.buffer().writeBytes(source.getBytes(StandardCharsets.US_ASCII));
            transformer.feed(chunk);
            chunk.release();
            ParsedMessage message = ((TransformResult.Transformed) transformer.finish()).message();
            SubmissionBody body = SubmissionJson.write(message, "s-1", "marketing", 7L);
            message.release();
            ByteBuf first = body.forRecipient("first@example.com");
            ByteBuf second = body.forRecipient("sec\"ond@example.com");
            JsonNode one = Transforms.JSON.readTree(first.toString(StandardCharsets.UTF_8));
            JsonNode two = Transforms.JSON.readTree(second.toString(StandardCharsets.UTF_8));
            first.release();
            second.release();
            body.release();
            assertThat(one.get("email").asText()).isEqualTo("first@example.com");
            assertThat(two.get("email").asText()).isEqualTo("sec\"ond@example.com");
            ((com.fasterxml.jackson.databind.node.ObjectNode) one).remove("email");
            ((com.fasterxml.jackson.databind.node.ObjectNode) two).remove("email");
            assertThat(one).isEqualTo(two);
            assertThat(one.at("/content/type").asText()).isEqualTo("marketing");
            assertThat(one.get("list_id").asLong()).isEqualTo(7);
            assertThat(body.sharedSize() > SubmissionBody.COPY_LIMIT).isEqualTo(extraText > 0);
        }
    }

    private static JsonNode refusal(int code, String status, String reason) {
        return Transforms.JSON
                .createObjectNode()
                .put("code", code)
                .put("enhanced_status", status)
                .put("reason", reason);
    }

    private static TransformConfig with(
            TransformConfig.UnsupportedAttachments unsupported,
            TransformConfig.InlineImages inline,
            TransformConfig.MissingContent missing) {
        return new TransformConfig(DEFAULT.limits(), unsupported, inline, missing);
    }

    private static byte[] withAttachment(byte[] content, String type, String name) {
        String encoded = Base64.getMimeEncoder().encodeToString(content);
        return bytes("From: a@example.com\r\nSubject: attachment\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: multipart/mixed; boundary=\"m\"\r\n\r\n--m\r\nContent-Type: text/plain\r\n\r\n"
                + "see attached\r\n--m\r\nContent-Type: " + type + "; name=\"" + name + "\"\r\n"
                + "Content-Transfer-Encoding: base64\r\n\r\n" + encoded + "\r\n--m--\r\n");
    }

    static byte[] corpus(String name) throws IOException {
        return Files.readAllBytes(GoldenMessagesTest.CORPUS.resolve(name + ".eml"));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
