package io.cakemail.gateway.core.transform;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cakemail.gateway.core.mime.HeaderField;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The headers that steer a submission rather than travel with it: the gateway's own ({@code X-Sender-Id},
 * {@code X-List-Id}, {@code X-Account-Id}, {@code X-Email-Api-Type}, {@code X-Tags}, {@code X-Track-*}) and those of
 * the providers senders migrate from (SendGrid {@code X-SMTPAPI}, Mailgun, Postmark, Mandrill, Amazon SES, Brevo):
 * tags, tracking, test sends that must not be delivered ({@code X-Mailgun-Drop-Message}, {@code X-Sib-Sandbox}), and
 * metadata for the sender's own use ({@code X-Mailgun-Variables}, {@code X-PM-Metadata-*}, {@code X-MC-Metadata},
 * {@code X-Mailin-custom}, SendGrid's {@code unique_args}), which never reaches recipients. They are removed from the
 * forwarded headers. A value the gateway cannot honour is refused, never ignored: a send scheduled for later
 * ({@code X-MC-SendAt}, {@code X-Mailgun-Deliver-By}, SendGrid's {@code send_at}) or a Mandrill sub-account.
 */
final class ControlHeaders {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_TAG_LENGTH = 255;

    /** Lower-cased names of every control header. */
    private static final Set<String> NAMES = Set.of(
            "x-sender-id",
            "x-list-id",
            "x-account-id",
            "x-email-api-type",
            "x-email-api-enabled",
            "x-tags",
            "x-track-opens",
            "x-track-clicks-html",
            "x-track-clicks-text",
            "x-smtpapi",
            "x-mailgun-tag",
            "x-mailgun-track",
            "x-mailgun-track-opens",
            "x-mailgun-track-clicks",
            "x-pm-tag",
            "x-pm-trackopens",
            "x-pm-tracklinks",
            "x-mc-tags",
            "x-mc-track",
            "x-ses-message-tags",
            "x-ses-configuration-set",
            "x-mailgun-drop-message",
            "x-sib-sandbox",
            "x-mc-sendat",
            "x-mailgun-deliver-by",
            "x-mc-subaccount",
            "x-mailgun-variables",
            "x-mc-metadata",
            "x-mailin-custom");

    /** Postmark's metadata: one header a key, {@code X-PM-Metadata-<key>}. */
    private static final String POSTMARK_METADATA = "x-pm-metadata-";

    /** X-SMTPAPI keys the gateway honours ({@code unique_args} becomes the message's metadata). */
    private static final Set<String> SMTPAPI_KEYS = Set.of("category", "filters", "unique_args");

    /** X-SMTPAPI keys that schedule the send, which the API cannot do. */
    private static final Set<String> SMTPAPI_SCHEDULING = Set.of("send_at", "send_each_at");

    String senderId;
    Long listId;
    Long accountId;
    String emailType;
    final Set<String> tags = new LinkedHashSet<>();
    Tracking tracking = Tracking.UNSET;
    /** The header that asked for the message to be checked and not delivered, as written, or {@code null}. */
    String doNotDeliver;
    /** The sender's own metadata, by key, in order of appearance: kept with the message's record, never sent. */
    final Map<String, String> metadata = new LinkedHashMap<>();

    private ControlHeaders() {}

    /** Whether a header of this name, lower-cased ({@link HeaderField#lowerCaseName()}), is a control header. */
    static boolean isControl(String lowerCaseName) {
        return NAMES.contains(lowerCaseName) || lowerCaseName.startsWith(POSTMARK_METADATA);
    }

    /**
     * Reads the control headers among {@code fields}.
     *
     * @throws InvalidHeaderException naming the header and the expected form
     */
    static ControlHeaders read(List<HeaderField> fields) {
        ControlHeaders control = new ControlHeaders();
        Tracking gatewayTracking = Tracking.UNSET;
        for (HeaderField field : fields) {
            String name = field.lowerCaseName();
            if (!isControl(name)) {
                continue;
            }
            String value = field.decodedValue().trim();
            switch (name) {
                case "x-sender-id" -> control.senderId = value.isEmpty() ? null : HeaderText.printable(value);
                case "x-list-id" -> control.listId = positive(field, value);
                case "x-account-id" -> control.accountId = positive(field, value);
                case "x-email-api-type" -> control.emailType = emailType(field, value);
                case "x-tags", "x-mc-tags" -> control.addTags(value.split("[,;]"));
                case "x-mailgun-tag", "x-pm-tag" -> control.addTags(value);
                case "x-ses-message-tags" ->
                    control.addTags(value.replace('=', '-').split(","));
                case "x-smtpapi" -> control.smtpApi(field, value);
                case "x-track-opens" ->
                    gatewayTracking = gatewayTracking.overriddenBy(new Tracking(bool(field, value), null, null));
                case "x-track-clicks-html" ->
                    gatewayTracking = gatewayTracking.overriddenBy(new Tracking(null, bool(field, value), null));
                case "x-track-clicks-text" ->
                    gatewayTracking = gatewayTracking.overriddenBy(new Tracking(null, null, bool(field, value)));
                case "x-mailgun-track" -> {
                    boolean on = bool(field, value);
                    control.track(new Tracking(on, on, on));
                }
                case "x-mailgun-track-opens", "x-pm-trackopens" ->
                    control.track(new Tracking(bool(field, value), null, null));
                case "x-mailgun-track-clicks" ->
                    control.track(
                            value.equalsIgnoreCase("htmlonly")
                                    ? new Tracking(null, true, false)
                                    : clicks(bool(field, value)));
                case "x-pm-tracklinks" -> control.track(postmarkLinks(field, value));
                case "x-mc-track" -> control.track(mandrill(value));
                case "x-mailgun-drop-message" -> {
                    if (bool(field, value)) {
                        control.doNotDeliver = field.name();
                    }
                }
                case "x-sib-sandbox" -> {
                    if (!value.equalsIgnoreCase("drop")) {
                        throw new InvalidHeaderException(field.name() + ": '" + value + "' (expected: drop)");
                    }
                    control.doNotDeliver = field.name();
                }
                case "x-mc-sendat", "x-mailgun-deliver-by" -> throw scheduled(field.name());
                case "x-mc-subaccount" ->
                    throw new InvalidHeaderException(field.name() + " names a Mandrill sub-account, which this gateway"
                            + " cannot map: use X-Account-Id with the Cakemail account's id");
                case "x-mailgun-variables", "x-mc-metadata" -> control.metadata(field, value);
                case "x-mailin-custom" -> control.metadata.put(field.name(), value);
                default -> {
                    if (name.startsWith(POSTMARK_METADATA)) {
                        control.metadata.put(field.name().substring(POSTMARK_METADATA.length()), value);
                    }
                    // x-email-api-enabled, x-ses-configuration-set: recognised, kept out of the message, no effect
                }
            }
        }
        control.tracking = control.tracking.overriddenBy(gatewayTracking);
        return control;
    }

    private void track(Tracking more) {
        tracking = tracking.overriddenBy(more);
    }

    private void addTags(String... values) {
        for (String value : values) {
            String tag = value.trim().replaceAll("[^a-zA-Z0-9_-]+", "_").replaceAll("^_+|_+$", "");
            if (tag.length() > MAX_TAG_LENGTH) {
                tag = tag.substring(0, MAX_TAG_LENGTH);
            }
            if (!tag.isEmpty()) {
                tags.add(tag);
            }
        }
    }

    private static InvalidHeaderException scheduled(String what) {
        return new InvalidHeaderException(what + " asks for a send at a later time, which the Cakemail API cannot"
                + " schedule: send the message when it is to go out");
    }

    /** A header whose value is a JSON object of the sender's metadata: each key, its value as text. */
    private void metadata(HeaderField field, String value) {
        jsonObject(field, value)
                .fields()
                .forEachRemaining(entry -> metadata.put(entry.getKey(), text(entry.getValue())));
    }

    private static String text(JsonNode value) {
        return value.isValueNode() ? value.asText() : value.toString();
    }

    private static JsonNode jsonObject(HeaderField field, String value) {
        JsonNode root;
        try {
            root = JSON.readTree(value);
        } catch (java.io.IOException e) {
            throw new InvalidHeaderException(field.name() + " is not valid JSON");
        }
        if (root == null || !root.isObject()) {
            throw new InvalidHeaderException(field.name() + " is not a JSON object");
        }
        return root;
    }

    private void smtpApi(HeaderField field, String value) {
        JsonNode root = jsonObject(field, value);
        for (Iterator<String> keys = root.fieldNames(); keys.hasNext(); ) {
            String key = keys.next();
            if (SMTPAPI_SCHEDULING.contains(key)) {
                throw scheduled(field.name() + " " + key);
            }
            if (!SMTPAPI_KEYS.contains(key)) {
                throw new InvalidHeaderException(field.name() + " key '" + key + "' is not supported by this gateway"
                        + " (supported: category, filters.opentrack, filters.clicktrack, unique_args)");
            }
        }
        JsonNode uniqueArgs = root.path("unique_args");
        if (uniqueArgs.isObject()) {
            uniqueArgs.fields().forEachRemaining(entry -> metadata.put(entry.getKey(), text(entry.getValue())));
        }
        JsonNode category = root.path("category");
        if (category.isTextual()) {
            addTags(category.asText());
        } else if (category.isArray()) {
            category.forEach(tag -> addTags(tag.asText()));
        }
        JsonNode filters = root.path("filters");
        JsonNode open = filters.path("opentrack").path("settings").path("enable");
        JsonNode click = filters.path("clicktrack").path("settings").path("enable");
        track(new Tracking(
                open.isMissingNode() ? null : open.asBoolean(),
                click.isMissingNode() ? null : click.asBoolean(),
                click.isMissingNode() ? null : click.asBoolean()));
    }

    private static Tracking clicks(boolean on) {
        return new Tracking(null, on, on);
    }

    private static Tracking postmarkLinks(HeaderField field, String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "none" -> new Tracking(null, false, false);
            case "htmlandtext" -> new Tracking(null, true, true);
            case "htmlonly" -> new Tracking(null, true, false);
            case "textonly" -> new Tracking(null, false, true);
            default ->
                throw new InvalidHeaderException(
                        field.name() + ": '" + value + "' (expected: None, HtmlAndText, HtmlOnly or TextOnly)");
        };
    }

    private static Tracking mandrill(String value) {
        Set<String> options = new LinkedHashSet<>();
        for (String option : value.toLowerCase(Locale.ROOT).split(",")) {
            options.add(option.trim());
        }
        boolean all = options.contains("clicks_all");
        return new Tracking(
                options.contains("opens"),
                all || options.contains("clicks_htmlonly"),
                all || options.contains("clicks_textonly"));
    }

    private static Long positive(HeaderField field, String value) {
        try {
            long parsed = Long.parseLong(value);
            if (parsed >= 1) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw new InvalidHeaderException(field.name() + ": '" + value + "' (expected: a positive integer)");
    }

    private static String emailType(HeaderField field, String value) {
        String type = value.toLowerCase(Locale.ROOT);
        if (!type.equals("marketing") && !type.equals("transactional")) {
            throw new InvalidHeaderException(field.name() + ": '" + value + "' (expected: marketing or transactional)");
        }
        return type;
    }

    private static boolean bool(HeaderField field, String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "true", "yes", "1", "on" -> true;
            case "false", "no", "0", "off" -> false;
            default -> throw new InvalidHeaderException(field.name() + ": '" + value + "' (expected: true or false)");
        };
    }

    /** A control header with a value the gateway cannot honour. */
    static final class InvalidHeaderException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        InvalidHeaderException(String message) {
            super(message, null, false, false);
        }
    }
}
