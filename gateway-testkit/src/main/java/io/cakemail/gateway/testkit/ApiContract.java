package io.cakemail.gateway.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The contract the gateway's requests to {@code POST /v2/emails} are checked against in every build: the fields the
 * gateway writes, with the official document's types, patterns and enumerations ({@code submit-email.schema.json},
 * written by hand from {@code SubmitEmail}), and nothing else: a field the contract does not know is a violation.
 * {@code ApiContractDriftTest} compares it with the official document whenever that is at hand.
 */
public final class ApiContract {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNode DOCUMENT = read();
    private static final JsonSchema SCHEMA =
            JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(DOCUMENT);

    private ApiContract() {}

    /** The contract as a JSON Schema document. */
    public static JsonNode document() {
        return DOCUMENT.deepCopy();
    }

    /** What in {@code body} breaks the contract; empty when it conforms. */
    public static Set<String> violations(JsonNode body) {
        return SCHEMA.validate(body).stream().map(ValidationMessage::getMessage).collect(Collectors.toSet());
    }

    private static JsonNode read() {
        try (InputStream in = ApiContract.class.getResourceAsStream("submit-email.schema.json")) {
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
