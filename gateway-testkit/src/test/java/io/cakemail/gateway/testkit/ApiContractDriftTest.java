package io.cakemail.gateway.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The contract the builds check against ({@link ApiContract}) has not drifted from the official document: every field
 * it knows is there, of the same type, with the same pattern, bounds and required fields, and values from within the
 * official enumerations; and a body the contract accepts, the official schema accepts too.
 */
class ApiContractDriftTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void everyFieldOfTheContractIsTheOfficialDocumentsField() throws Exception {
        OfficialApiDocument official = OfficialApiDocument.require();
        List<String> drift = new ArrayList<>();
        compare(ApiContract.document(), official.schemas().get("SubmitEmail"), official, "SubmitEmail", drift);
        assertThat(drift)
                .as("where the contract differs from the official document")
                .isEmpty();
    }

    @Test
    void whatTheContractAcceptsTheOfficialSchemaAccepts() throws Exception {
        OfficialApiDocument official = OfficialApiDocument.require();
        JsonNode full = JSON.readTree("""
                {"sender": {"id": "snd-1", "name": "Sandbox"}, "email": "friend@example.com", "list_id": 2,
                 "content": {"subject": "Hello", "html": "<p>Hi</p>", "text": "Hi", "encoding": "utf-8",
                             "type": "marketing"},
                 "tags": ["welcome", "a-b_c"], "tracking": {"opens": false, "clicks_html": true, "clicks_text": false},
                 "additional_headers": [{"name": "X-Campaign", "value": "spring"}],
                 "attachment": [{"filename": "report.pdf", "type": "pdf", "content": "JVBERi0="}]}
                """);
        JsonNode smallest = JSON.readTree(
                "{\"sender\": {\"id\": \"s\"}, \"content\": {\"subject\": \"x\", \"type\": \"transactional\"}}");
        for (JsonNode body : List.of(full, smallest)) {
            assertThat(ApiContract.violations(body)).as("the contract, " + body).isEmpty();
            assertThat(official.submitEmailViolations(body))
                    .as("the official schema, " + body)
                    .isEmpty();
        }
        JsonNode unknownField = JSON.readTree(
                "{\"sender\": {\"id\": \"s\"}, \"content\": {\"subject\": \"x\", \"type\": \"transactional\"},"
                        + " \"send_at\": 1}");
        assertThat(ApiContract.violations(unknownField))
                .as("a field the gateway does not write")
                .isNotEmpty();
    }

    private static void compare(
            JsonNode ours, JsonNode theirs, OfficialApiDocument official, String at, List<String> drift) {
        JsonNode resolved = resolve(theirs, ours, official);
        if (resolved == null) {
            drift.add(at + ": not in the official document");
            return;
        }
        for (String keyword : List.of("type", "pattern", "format", "minLength", "maxLength")) {
            if (ours.has(keyword) && !ours.get(keyword).equals(resolved.get(keyword))) {
                drift.add(at + ": " + keyword + " " + ours.get(keyword) + ", officially " + resolved.get(keyword));
            }
        }
        if (ours.has("minimum")
                && (!resolved.has("minimum")
                        || ours.get("minimum")
                                        .decimalValue()
                                        .compareTo(resolved.get("minimum").decimalValue())
                                != 0)) {
            drift.add(at + ": minimum " + ours.get("minimum") + ", officially " + resolved.get("minimum"));
        }
        if (ours.has("enum") && !values(resolved.get("enum")).containsAll(values(ours.get("enum")))) {
            drift.add(at + ": enum " + ours.get("enum") + ", officially " + resolved.get("enum"));
        }
        if (ours.has("required") && !values(ours.get("required")).equals(values(resolved.get("required")))) {
            drift.add(at + ": required " + ours.get("required") + ", officially " + resolved.get("required"));
        }
        if (ours.has("items")) {
            compare(ours.get("items"), resolved.get("items"), official, at + "[]", drift);
        }
        for (Iterator<Map.Entry<String, JsonNode>> fields =
                        ours.path("properties").fields();
                fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            JsonNode officialField = resolved.path("properties").get(field.getKey());
            compare(field.getValue(), officialField, official, at + "." + field.getKey(), drift);
        }
    }

    /**
     * The official schema a field stands for: its {@code $ref} followed, a single {@code allOf} opened, and of an
     * {@code anyOf} the variant of the contract's type (the API takes one attachment or an array of them).
     */
    private static JsonNode resolve(JsonNode theirs, JsonNode ours, OfficialApiDocument official) {
        if (theirs == null) {
            return null;
        }
        if (theirs.has("$ref")) {
            String name = theirs.get("$ref").asText().substring("#/components/schemas/".length());
            return resolve(official.schemas().get(name), ours, official);
        }
        if (theirs.has("allOf") && theirs.get("allOf").size() == 1) {
            return resolve(theirs.get("allOf").get(0), ours, official);
        }
        if (theirs.has("anyOf")) {
            for (JsonNode variant : theirs.get("anyOf")) {
                JsonNode candidate = resolve(variant, ours, official);
                if (candidate != null && candidate.path("type").equals(ours.path("type"))) {
                    return candidate;
                }
            }
            return null;
        }
        return theirs;
    }

    private static Set<JsonNode> values(JsonNode array) {
        Set<JsonNode> values = new HashSet<>();
        if (array != null) {
            array.forEach(values::add);
        }
        return values;
    }
}
