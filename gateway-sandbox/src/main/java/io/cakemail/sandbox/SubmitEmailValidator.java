package io.cakemail.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks a {@code SubmitEmail} body the way the API's pydantic models do, producing the {@code detail} entries of a
 * 422 answer ({@code loc}, {@code msg}, {@code type}). Written from the published contract, independently of the
 * gateway. Unknown fields are ignored, as pydantic does by default.
 */
final class SubmitEmailValidator {

    private static final Pattern TAG = Pattern.compile("^[a-zA-Z0-9-_]+$");
    private static final Pattern FILENAME =
            Pattern.compile("^[a-zA-Z0-9-_]+\\.(csv|doc|docx|ics|jpeg|pdf|png|xls|xlsx)$");
    private static final Pattern BASE64 =
            Pattern.compile("^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$");
    private static final Pattern EMAIL = Pattern.compile("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$");
    private static final Set<String> TYPES = Set.of("marketing", "transactional");
    private static final Set<String> ATTACHMENT_TYPES =
            Set.of("csv", "doc", "docx", "calendar", "jpeg", "pdf", "png", "xls", "xlsx");
    private static final Set<String> ENCODINGS = Set.of(
            "utf-8",
            "armscii-8",
            "ascii",
            "big-5",
            "cp51932",
            "cp866",
            "cp936",
            "euc-cn",
            "euc-jp",
            "eucjp-win",
            "euc-kr",
            "euc-tw",
            "hz",
            "iso-2022-jp",
            "iso-2022-jp-ms",
            "iso-2022-kr",
            "iso-8859-1",
            "iso-8859-10",
            "iso-8859-13",
            "iso-8859-14",
            "iso-8859-15",
            "iso-8859-16",
            "iso-8859-2",
            "iso-8859-3",
            "iso-8859-4",
            "iso-8859-5",
            "iso-8859-6",
            "iso-8859-7",
            "iso-8859-8",
            "iso-8859-9",
            "jis",
            "koi8-r",
            "sjis",
            "sjis-win",
            "uhc",
            "windows-1251",
            "windows-1252");

    private final List<JsonNode> details = new ArrayList<>();

    private SubmitEmailValidator() {}

    /** The validation errors of {@code body}; empty when it is valid. */
    static List<JsonNode> validate(JsonNode body) {
        SubmitEmailValidator validator = new SubmitEmailValidator();
        validator.submitEmail(body);
        return validator.details;
    }

    private void submitEmail(JsonNode body) {
        if (!body.isObject()) {
            error("value is not a valid dict", "type_error.dict", "body");
            return;
        }
        JsonNode sender = required(body, "sender", "body");
        if (sender != null && object(sender, "body", "sender")) {
            string(required(sender, "id", "body", "sender"), 1, null, "body", "sender", "id");
            optionalString(sender, "name", 1, "body", "sender");
        }
        JsonNode content = required(body, "content", "body");
        if (content != null && object(content, "body", "content")) {
            string(required(content, "subject", "body", "content"), 1, null, "body", "content", "subject");
            JsonNode type = required(content, "type", "body", "content");
            if (type != null) {
                oneOf(type, TYPES, "body", "content", "type");
            }
            optionalString(content, "html", 1, "body", "content");
            optionalString(content, "text", 1, "body", "content");
            if (content.has("encoding")) {
                oneOf(content.get("encoding"), ENCODINGS, "body", "content", "encoding");
            }
            if (content.has("template") && object(content.get("template"), "body", "content", "template")) {
                integer(
                        required(content.get("template"), "id", "body", "content", "template"),
                        Long.MIN_VALUE,
                        "body",
                        "content",
                        "template",
                        "id");
            }
        }
        if (body.has("email")
                && string(body.get("email"), 0, null, "body", "email")
                && !EMAIL.matcher(body.get("email").asText()).matches()) {
            error("value is not a valid email address", "value_error.email", "body", "email");
        }
        if (body.has("list_id")) {
            integer(body.get("list_id"), 1, "body", "list_id");
        }
        if (body.has("contact_id")) {
            integer(body.get("contact_id"), 1, "body", "contact_id");
        }
        if (body.has("tags") && array(body.get("tags"), "body", "tags")) {
            for (int i = 0; i < body.get("tags").size(); i++) {
                JsonNode tag = body.get("tags").get(i);
                if (string(tag, 1, TAG, "body", "tags", i) && tag.asText().length() > 255) {
                    error(
                            "ensure this value has at most 255 characters",
                            "value_error.any_str.max_length",
                            "body",
                            "tags",
                            i);
                }
            }
        }
        if (body.has("tracking") && object(body.get("tracking"), "body", "tracking")) {
            for (String field : List.of("opens", "clicks_html", "clicks_text")) {
                JsonNode value = body.get("tracking").get(field);
                if (value != null && !value.isBoolean()) {
                    error("value could not be parsed to a boolean", "type_error.bool", "body", "tracking", field);
                }
            }
        }
        if (body.has("additional_headers") && array(body.get("additional_headers"), "body", "additional_headers")) {
            for (int i = 0; i < body.get("additional_headers").size(); i++) {
                JsonNode header = body.get("additional_headers").get(i);
                if (object(header, "body", "additional_headers", i)) {
                    string(
                            required(header, "name", "body", "additional_headers", i),
                            0,
                            null,
                            "body",
                            "additional_headers",
                            i,
                            "name");
                    string(
                            required(header, "value", "body", "additional_headers", i),
                            0,
                            null,
                            "body",
                            "additional_headers",
                            i,
                            "value");
                }
            }
        }
        if (body.has("attachment")) {
            JsonNode attachment = body.get("attachment");
            if (attachment.isArray()) {
                for (int i = 0; i < attachment.size(); i++) {
                    attachment(attachment.get(i), "body", "attachment", i);
                }
            } else {
                attachment(attachment, "body", "attachment");
            }
        }
    }

    private void attachment(JsonNode attachment, Object... loc) {
        if (!object(attachment, loc)) {
            return;
        }
        string(required(attachment, "filename", loc), 0, FILENAME, append(loc, "filename"));
        JsonNode type = required(attachment, "type", loc);
        if (type != null) {
            oneOf(type, ATTACHMENT_TYPES, append(loc, "type"));
        }
        string(required(attachment, "content", loc), 0, BASE64, append(loc, "content"));
    }

    private JsonNode required(JsonNode parent, String field, Object... loc) {
        JsonNode value = parent.get(field);
        if (value == null || value.isNull()) {
            error("field required", "value_error.missing", append(loc, field));
            return null;
        }
        return value;
    }

    private boolean object(JsonNode node, Object... loc) {
        if (!node.isObject()) {
            error("value is not a valid dict", "type_error.dict", loc);
            return false;
        }
        return true;
    }

    private boolean array(JsonNode node, Object... loc) {
        if (!node.isArray()) {
            error("value is not a valid list", "type_error.list", loc);
            return false;
        }
        return true;
    }

    private void optionalString(JsonNode parent, String field, int minLength, Object... loc) {
        if (parent.has(field)) {
            string(parent.get(field), minLength, null, append(loc, field));
        }
    }

    private boolean string(JsonNode node, int minLength, Pattern pattern, Object... loc) {
        if (node == null) {
            return false;
        }
        if (!node.isTextual()) {
            error("str type expected", "type_error.str", loc);
            return false;
        }
        if (node.asText().length() < minLength) {
            error("ensure this value has at least " + minLength + " characters", "value_error.any_str.min_length", loc);
            return false;
        }
        if (pattern != null && !pattern.matcher(node.asText()).matches()) {
            error("string does not match regex \"" + pattern.pattern() + "\"", "value_error.str.regex", loc);
            return false;
        }
        return true;
    }

    private void integer(JsonNode node, long minimum, Object... loc) {
        if (node == null) {
            return;
        }
        if (!node.isIntegralNumber()) {
            error("value is not a valid integer", "type_error.integer", loc);
        } else if (node.asLong() < minimum) {
            error("ensure this value is greater than or equal to " + minimum, "value_error.number.not_ge", loc);
        }
    }

    private void oneOf(JsonNode node, Set<String> allowed, Object... loc) {
        if (!node.isTextual() || !allowed.contains(node.asText())) {
            error(
                    "value is not a valid enumeration member; permitted: "
                            + String.join(
                                    ", ",
                                    allowed.stream()
                                            .sorted()
                                            .map(v -> "'" + v + "'")
                                            .toList()),
                    "type_error.enum",
                    loc);
        }
    }

    private void error(String message, String type, Object... loc) {
        ObjectNode detail = JsonNodeFactory.instance.objectNode();
        ArrayNode location = detail.putArray("loc");
        for (Object part : loc) {
            if (part instanceof Integer index) {
                location.add(index);
            } else {
                location.add(part.toString());
            }
        }
        detail.put("msg", message);
        detail.put("type", type);
        details.add(detail);
    }

    private static Object[] append(Object[] loc, Object part) {
        Object[] longer = java.util.Arrays.copyOf(loc, loc.length + 1);
        longer[loc.length] = part;
        return longer;
    }
}
