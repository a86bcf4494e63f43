package io.cakemail.gateway.core.transform;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import io.cakemail.gateway.core.mime.MimeLimits;
import io.cakemail.gateway.testkit.ApiContract;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Coverage-guided fuzzing of the MIME parser and the transformer end to end with Jazzer: message bytes in, the
 * SubmitEmail request or a refusal out. {@code benchmarks/fuzz.sh} fuzzes it, starting from the golden corpus; {@code
 * mvn verify} runs the inputs kept in {@code MessageTransformFuzzTestInputs} (messages, as {@code .eml} text). Whatever
 * the message (and every message of the golden corpus): fed in any chunks it ends as it does in one, a request validates against the API contract and carries
 * no control character outside its text and HTML, a refusal has a reason, every buffer is released (the leak
 * detector, after the class); {@code fuzz.sh} gives each input a time budget that a quadratic case would overrun.
 */
class MessageTransformFuzzTest {

    private static final TransformConfig CONFIG = new TransformConfig(
            new MimeLimits(8, 100, 200, 16 * 1024, 256 * 1024, 512 * 1024),
            TransformConfig.UnsupportedAttachments.REFUSE,
            TransformConfig.InlineImages.DATA_URI,
            TransformConfig.MissingContent.PLACEHOLDER);
    /** Where a request may hold any character: the message's own text. */
    private static final Set<String> FREE_TEXT = Set.of("text", "html", "content");

    @FuzzTest(maxDuration = "")
    @DictionaryEntries({
        "Content-Type: ",
        "multipart/mixed; boundary=",
        "multipart/alternative",
        "multipart/related",
        "text/html; charset=",
        "Content-Transfer-Encoding: ",
        "quoted-printable",
        "base64",
        "Content-Disposition: attachment; filename*=",
        "=?utf-8?B?",
        "=?iso-8859-1?Q?",
        "?=",
        "Subject: ",
        "From: ",
        "Reply-To: ",
        "X-Cakemail-Tags: "
    })
    void anyMessageEndsInAValidRequestOrARefusal(byte[] message) {
        Random random = new Random(Arrays.hashCode(message)); // the same chunks each time an input is run
        JsonNode whole = Transforms.whole(message, CONFIG);
        JsonNode chunked = Transforms.randomChunks(message, CONFIG, random, 1 + random.nextInt(64));

        assertThat(chunked).as("fed in chunks").isEqualTo(whole);
        if (whole.has("refused")) {
            assertThat(whole.at("/refused/reason").asText()).isNotBlank();
            return;
        }
        JsonNode body = whole.get("body");
        assertThat(ApiContract.violations(body)).isEmpty();
        assertNoControlCharacter("", body);
    }

    /** The golden corpus, which the fuzzing starts from, held to the same rules in every build. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.cakemail.gateway.core.transform.GoldenMessagesTest#messages")
    void everyGoldenMessageEndsInAValidRequestOrARefusal(Path eml) throws IOException {
        anyMessageEndsInAValidRequestOrARefusal(Files.readAllBytes(eml));
    }

    private static void assertNoControlCharacter(String path, JsonNode node) {
        if (node.isTextual()) {
            assertThat(node.asText().chars().noneMatch(c -> (c < 0x20 && c != '\t') || c == 0x7f))
                    .as("a control character in %s: %s", path, node)
                    .isTrue();
            return;
        }
        for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            if (!FREE_TEXT.contains(field.getKey()) || !field.getValue().isTextual()) {
                assertNoControlCharacter(path + "/" + field.getKey(), field.getValue());
            }
        }
        for (int i = 0; node.isArray() && i < node.size(); i++) {
            assertNoControlCharacter(path + "/" + i, node.get(i));
        }
    }
}
