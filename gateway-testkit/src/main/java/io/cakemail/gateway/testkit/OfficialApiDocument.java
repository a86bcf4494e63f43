package io.cakemail.gateway.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The official Cakemail OpenAPI document, which the project does not copy: where {@code CAKEMAIL_OPENAPI} names it
 * ({@code .ci/run} does), or else {@code ../shared/cakemail/openapi.json} beside the repository. A test that needs it
 * calls {@link #require()}: it fails when {@code CAKEMAIL_OPENAPI} is set and the file is missing, and is skipped,
 * saying so on the build's output, when the variable is not set and the file is not there.
 */
public final class OfficialApiDocument {

    /** The variable naming the document. */
    public static final String VARIABLE = "CAKEMAIL_OPENAPI";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final JsonNode document;

    private OfficialApiDocument(JsonNode document) {
        this.document = document;
    }

    /** Where the document is looked for. */
    public static Path location() {
        String configured = System.getenv(VARIABLE);
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured).toAbsolutePath();
        }
        return repositoryRoot().resolve("../shared/cakemail/openapi.json").normalize();
    }

    /** The document; fails the test when it was promised and is missing, skips it when it was not. */
    public static OfficialApiDocument require() throws IOException {
        Path location = location();
        boolean promised =
                System.getenv(VARIABLE) != null && !System.getenv(VARIABLE).isBlank();
        if (promised) {
            assertThat(location).as(VARIABLE + " names a readable file").isReadable();
        } else if (!Files.isReadable(location)) {
            System.out.println("SKIPPED: the official Cakemail API document is not at " + location + " and " + VARIABLE
                    + " is not set; the contract drift test does not run");
            assumeTrue(false, "the official Cakemail API document is not at " + location);
        }
        return new OfficialApiDocument(JSON.readTree(location.toFile()));
    }

    /** The document's component schemas. */
    public JsonNode schemas() {
        return document.at("/components/schemas");
    }

    /** What in {@code body} breaks the document's {@code SubmitEmail} schema; empty when it conforms. */
    public Set<String> submitEmailViolations(JsonNode body) {
        ObjectNode root = JSON.createObjectNode();
        root.put("$schema", "https://json-schema.org/draft/2020-12/schema");
        root.put("$ref", "#/components/schemas/SubmitEmail");
        root.set("components", document.get("components"));
        JsonSchema schema =
                JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(root);
        return schema.validate(body).stream().map(ValidationMessage::getMessage).collect(Collectors.toSet());
    }

    /** The folder holding the root {@code pom.xml}: the working directory of a module's tests, or its parent. */
    private static Path repositoryRoot() {
        Path here = Path.of("").toAbsolutePath();
        return Files.isDirectory(here.resolve("gateway-testkit")) ? here : here.getParent();
    }
}
