package io.cakemail.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.cakemail.gateway.testkit.OfficialApiDocument;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The sandbox's validator agrees with the official {@code SubmitEmail} schema (from {@code ../shared}) on which
 * bodies are valid. Skipped, saying so, when the document is absent and {@code CAKEMAIL_OPENAPI} does not promise it.
 */
class SubmitEmailValidatorContractTest {

    @ParameterizedTest
    @ValueSource(
            strings = {
                SandboxTest.VALID,
                "{\"sender\":{\"id\":\"s\"},\"content\":{\"subject\":\"x\",\"type\":\"marketing\"}}",
                "{\"sender\":{\"id\":\"s\"},\"content\":{\"subject\":\"x\",\"type\":\"marketing\"},\"attachment\":"
                        + "{\"filename\":\"a.ics\",\"type\":\"calendar\",\"content\":\"\"}}",
                "{\"sender\":{\"id\":\"\"},\"content\":{\"subject\":\"x\",\"type\":\"marketing\"}}",
                "{\"sender\":{\"id\":\"s\"},\"content\":{\"subject\":\"x\"}}",
                "{\"sender\":{\"id\":\"s\"},\"content\":{\"subject\":\"x\",\"type\":\"marketing\",\"html\":\"\"}}",
                "{\"sender\":{\"id\":\"s\"},\"content\":{\"subject\":\"x\",\"type\":\"marketing\",\"encoding\":\"latin1\"}}",
                "{\"sender\":{\"id\":\"s\"},\"content\":{\"subject\":\"x\",\"type\":\"marketing\"},\"list_id\":0}",
                "{\"sender\":{\"id\":\"s\"},\"content\":{\"subject\":\"x\",\"type\":\"marketing\"},\"tags\":[\"a b\"]}",
                "{\"sender\":{\"id\":\"s\"},\"content\":{\"subject\":\"x\",\"type\":\"marketing\"},\"attachment\":"
                        + "[{\"filename\":\"a.jpg\",\"type\":\"jpeg\",\"content\":\"AAAA\"}]}",
                "{\"sender\":{\"id\":\"s\"},\"content\":{\"subject\":\"x\",\"type\":\"marketing\"},\"attachment\":"
                        + "[{\"filename\":\"a.png\",\"type\":\"png\",\"content\":\"AAA\"}]}",
                "{\"sender\":{\"id\":\"s\"},\"content\":{\"subject\":\"x\",\"type\":\"marketing\"},"
                        + "\"additional_headers\":[{\"name\":\"X\"}]}",
                "{\"sender\":{\"id\":\"s\"},\"content\":{\"subject\":\"x\",\"type\":\"marketing\"},\"tracking\":{\"opens\":1}}",
            })
    void agreesWithTheOfficialSchema(String body) throws Exception {
        OfficialApiDocument official = OfficialApiDocument.require();
        JsonNode json = SandboxTest.JSON.readTree(body);
        boolean officiallyValid = official.submitEmailViolations(json).isEmpty();
        assertThat(SubmitEmailValidator.validate(json).isEmpty()).as(body).isEqualTo(officiallyValid);
    }
}
