package io.cakemail.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The sandbox's validator agrees with the official {@code SubmitEmail} schema (from {@code ../shared}) on which
 * bodies are valid. Skipped when the OpenAPI document is absent.
 */
class SubmitEmailValidatorContractTest {

    private static final Path OPENAPI = Path.of("..", "..", "shared", "cakemail", "openapi.json");

    @ParameterizedTest
    @ValueSource(strings = {
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
        assumeTrue(Files.isReadable(OPENAPI), "the OpenAPI document is not at " + OPENAPI);
        JsonNode json = SandboxTest.JSON.readTree(body);
        boolean officiallyValid = schema().validate(json).isEmpty();
        assertThat(SubmitEmailValidator.validate(json).isEmpty()).as(body).isEqualTo(officiallyValid);
    }

    private static JsonSchema schema() throws Exception {
        ObjectNode root = SandboxTest.JSON.createObjectNode();
        root.put("$schema", "https://json-schema.org/draft/2020-12/schema");
        root.put("$ref", "#/components/schemas/SubmitEmail");
        root.set("components", SandboxTest.JSON.readTree(OPENAPI.toFile()).get("components"));
        return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(root);
    }
}
