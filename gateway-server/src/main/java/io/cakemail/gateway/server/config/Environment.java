package io.cakemail.gateway.server.config;

import io.cakemail.gateway.common.Setting;
import io.cakemail.gateway.common.SettingTable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * The settings of one environment: each value read as it is asked for, every problem collected rather than the first
 * thrown, so a configuration with several mistakes is told all of them at once.
 */
final class Environment {
    private static final Pattern URL_CREDENTIALS = Pattern.compile("([a-z][a-z0-9+.-]*://)[^/@\\s]*@");
    /** What Kubernetes puts in {@code <SERVICE>_PORT} for every Service of the namespace (Docker links did too). */
    private static final Pattern SERVICE_LINK = Pattern.compile("(tcp|udp|sctp)://[0-9a-fA-F.:\\[\\]]+:\\d+");

    private final Map<String, String> env;
    private final List<String> problems = new ArrayList<>();
    private final List<String> effective = new ArrayList<>();

    Environment(Map<String, String> env) {
        this.env = env;
    }

    boolean isSet(Setting<?> setting) {
        String value = env.get(setting.name());
        return value != null && !value.isBlank();
    }

    /** The setting's value, its default when not set, or its default after noting why the text is wrong. */
    <T> T get(Setting<T> setting) {
        if (!isSet(setting)) {
            effective.add(setting.name() + "=" + setting.defaultText());
            return setting.defaultValue();
        }
        String text = env.get(setting.name()).trim();
        effective.add(setting.name() + "=" + redacted(text));
        try {
            return setting.parse(text);
        } catch (IllegalArgumentException e) {
            problem(setting.name() + ": " + redacted(e.getMessage()) + serviceLinkHint(setting, text));
            return setting.defaultValue();
        }
    }

    /** Reads every row of {@code table} into {@code builder}, each through its setter; returns {@code builder}. */
    <B> B fill(SettingTable<B> table, B builder) {
        table.rows().forEach(row -> fill(row, builder));
        return builder;
    }

    private <B, T> void fill(SettingTable.Row<B, T> row, B builder) {
        apply(row.setting(), value -> row.setter().accept(builder, value));
    }

    /** Reads {@code setting} and hands the value, if any, to {@code target}, whose own check becomes a problem. */
    private <T> void apply(Setting<T> setting, Consumer<T> target) {
        T value = get(setting);
        if (value == null) {
            return;
        }
        try {
            target.accept(value);
        } catch (IllegalArgumentException e) {
            problem(setting.name() + ": " + e.getMessage());
        }
    }

    /**
     * Why a value such as {@code tcp://10.96.0.12:8080} is there: Kubernetes sets {@code <NAME>_PORT} and its kin for
     * every Service of the namespace unless the pod says {@code enableServiceLinks: false}, so a Service whose name
     * makes one of the gateway's variables (such as {@code gateway-sandbox}) overrides that setting.
     */
    private static String serviceLinkHint(Setting<?> setting, String text) {
        String name = setting.name();
        if (!name.endsWith("_PORT") || !SERVICE_LINK.matcher(text).matches()) {
            return "";
        }
        String service = name.substring(0, name.length() - "_PORT".length()).toLowerCase(Locale.ROOT);
        return "; this is a Kubernetes service link, set because a Service named " + service.replace('_', '-')
                + " exists in the namespace: set enableServiceLinks: false in the pod's spec (the chart does)";
    }

    /** {@code text} with the credentials of any URL in it ({@code redis://user:password@host}) masked. */
    static String redacted(String text) {
        return URL_CREDENTIALS.matcher(text).replaceAll("$1***@");
    }

    /** The text as given, for a problem's message. */
    String text(Setting<?> setting) {
        return isSet(setting) ? env.get(setting.name()).trim() : setting.defaultText();
    }

    void problem(String problem) {
        problems.add(problem);
    }

    /** Every setting read, as {@code NAME=value} (defaults in their documented form), for the start-up log. */
    List<String> effective() {
        return List.copyOf(effective);
    }

    void failOnProblems() {
        if (!problems.isEmpty()) {
            throw new GatewayConfig.ConfigurationException(problems);
        }
    }
}
