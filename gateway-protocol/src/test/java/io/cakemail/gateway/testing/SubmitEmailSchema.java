package io.cakemail.gateway.testing;

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
 * The {@code SubmitEmail} schema of the official Cakemail OpenAPI document, read from {@code ../shared} (or the
 * {@code cakemail.openapi} system property). Tests skip when the document is absent.
 */
public final class SubmitEmailSchema {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static final Path DEFAULT_LOCATION = Path.of("..", "..", "shared", "cakemail", "openapi.json");
    private static JsonSchema schema;

    private SubmitEmailSchema() {}

    public static Path location() {
        String configured = System.getProperty("cakemail.openapi");
        return configured != null ? Path.of(configured) : DEFAULT_LOCATION;
    }

    public static boolean available() {
        return Files.isReadable(location());
    }

    /** The violations of {@code body}, empty when it conforms. */
    public static synchronized Set<String> violations(JsonNode body) throws IOException {
        if (schema == null) {
            JsonNode openapi = JSON.readTree(location().toFile());
            ObjectNode root = JSON.createObjectNode();
            root.put("$schema", "https://json-schema.org/draft/2020-12/schema");
            root.put("$ref", "#/components/schemas/SubmitEmail");
            root.set("components", openapi.get("components"));
            schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
                    .getSchema(root);
        }
        return schema.validate(body).stream().map(ValidationMessage::getMessage).collect(Collectors.toSet());
    }
}
