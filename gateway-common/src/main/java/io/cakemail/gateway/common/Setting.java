package io.cakemail.gateway.common;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * One environment variable of the gateway: its name, its default (taken from the configuration type it feeds, so it
 * is written once), how its text is read (with units: {@code 35MiB}, {@code 45s}), and the line that documents it.
 * A value that cannot be read is an {@link IllegalArgumentException} whose message says what was expected, in the
 * form {@code 'value' (expected: ...)}. The gateway's server module holds them all.
 *
 * @param name the variable, {@code GATEWAY_...}
 * @param defaultValue the value when the variable is not set, or {@code null} when there is none or it depends on
 *                     other settings
 * @param defaultText the default as the configuration page and {@code --help} show it
 * @param parser reads the variable's text
 * @param description one line for the configuration page and {@code --help}
 * @param <T> the value's type
 */
public record Setting<T>(
        String name, T defaultValue, String defaultText, Function<String, T> parser, String description) {

    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h)");
    private static final Pattern SIZE = Pattern.compile("(\\d{1,12})(B|KiB|MiB|GiB)?");

    public Setting {
        requireNonNull(name, "name");
        requireNonNull(defaultText, "defaultText");
        requireNonNull(parser, "parser");
        requireNonNull(description, "description");
    }

    /** The same setting, its default described in words: it has none, or it depends on other settings. */
    public Setting<T> withoutDefault(String describedDefault) {
        return new Setting<>(name, null, "(" + describedDefault + ")", parser, description);
    }

    /** Reads {@code text}, trimmed. */
    public T parse(String text) {
        return parser.apply(text.trim());
    }

    public static Setting<Integer> port(String name, int defaultPort, String description) {
        return integer(name, defaultPort, 0, 65_535, description);
    }

    public static Setting<Integer> integer(String name, int defaultValue, int min, String description) {
        return integer(name, defaultValue, min, Integer.MAX_VALUE, description);
    }

    public static Setting<Integer> integer(String name, int defaultValue, int min, int max, String description) {
        return new Setting<>(
                name,
                defaultValue,
                String.valueOf(defaultValue),
                text -> {
                    try {
                        int value = Integer.parseInt(text);
                        if (value >= min && value <= max) {
                            return value;
                        }
                    } catch (NumberFormatException e) {
                        // said below
                    }
                    throw expected(text, "an integer from " + min + " to " + max);
                },
                description);
    }

    /** Octets: a number, or one with {@code B}, {@code KiB}, {@code MiB} or {@code GiB}; at least 1. */
    public static Setting<Long> size(String name, long defaultValue, String description) {
        return new Setting<>(name, defaultValue, formatSize(defaultValue), Setting::parseSize, description);
    }

    public static Setting<Duration> duration(String name, Duration defaultValue, String description) {
        return new Setting<>(name, defaultValue, formatDuration(defaultValue), Setting::parseDuration, description);
    }

    /** A duration that may be {@code 0s}, for a wait that can be left out. */
    public static Setting<Duration> durationOrZero(String name, Duration defaultValue, String description) {
        return new Setting<>(
                name,
                defaultValue,
                formatDuration(defaultValue),
                text -> text.matches("0+(ms|s|m|h)") ? Duration.ZERO : parseDuration(text),
                description);
    }

    public static Setting<Boolean> flag(String name, boolean defaultValue, String description) {
        return new Setting<>(
                name,
                defaultValue,
                String.valueOf(defaultValue),
                text -> switch (text.toLowerCase(Locale.ROOT)) {
                    case "true" -> true;
                    case "false" -> false;
                    default -> throw expected(text, "true or false");
                },
                description);
    }

    /** An enum constant by its name in lower case with dashes: {@code data-uri} for {@code DATA_URI}. */
    public static <E extends Enum<E>> Setting<E> choice(
            String name, E defaultValue, Class<E> type, String description) {
        Function<String, E> parser = text -> Arrays.stream(type.getEnumConstants())
                .filter(constant -> label(constant).equalsIgnoreCase(text))
                .findFirst()
                .orElseThrow(() -> expected(
                        text,
                        "one of "
                                + Arrays.stream(type.getEnumConstants())
                                        .map(Setting::label)
                                        .collect(Collectors.joining(", "))));
        return new Setting<>(name, defaultValue, label(defaultValue), parser, description);
    }

    public static Setting<String> text(String name, String defaultValue, String description) {
        return new Setting<>(name, defaultValue, defaultValue, Function.identity(), description);
    }

    public static Setting<URI> httpUrl(String name, URI defaultValue, String description) {
        return new Setting<>(
                name,
                defaultValue,
                defaultValue.toString(),
                text -> {
                    try {
                        URI uri = new URI(text);
                        if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
                                && uri.getHost() != null) {
                            return uri;
                        }
                    } catch (URISyntaxException e) {
                        // said below
                    }
                    throw expected(text, "an http:// or https:// URL");
                },
                description);
    }

    /**
     * A value {@code parser} reads, failing with an {@link IllegalArgumentException}; {@code expected} says what it
     * takes. {@code defaultValue} is written the same way (empty for none).
     */
    public static <T> Setting<T> parsed(
            String name, String defaultValue, Function<String, T> parser, String expected, String description) {
        Function<String, T> strict = text -> {
            try {
                return parser.apply(text);
            } catch (IllegalArgumentException e) {
                throw expected(text, expected);
            }
        };
        return new Setting<>(
                name,
                strict.apply(defaultValue),
                defaultValue.isEmpty() ? "(none)" : defaultValue,
                strict,
                description);
    }

    /** A {@code redis://} or {@code rediss://} URL, or none. */
    public static Setting<URI> redisUrl(String name, String description) {
        return new Setting<URI>(
                name,
                null,
                "(none)",
                text -> {
                    try {
                        URI uri = new URI(text);
                        if (("redis".equals(uri.getScheme()) || "rediss".equals(uri.getScheme()))
                                && uri.getHost() != null) {
                            return uri;
                        }
                    } catch (URISyntaxException e) {
                        // refused below
                    }
                    throw expected(text, "a redis:// or rediss:// URL, e.g. redis://redis:6379/0");
                },
                description);
    }

    /**
     * A file to read: one that is there and readable, or one still to come in a directory that is there (a Secret's
     * mount before the Secret exists); the reader decides what a missing file means.
     */
    public static Setting<Path> fileToRead(String name, String description) {
        return new Setting<Path>(
                name,
                null,
                "(none)",
                text -> {
                    Path path = Path.of(text);
                    boolean readable = Files.isReadable(path) && Files.isRegularFile(path);
                    boolean toCome = Files.notExists(path)
                            && path.toAbsolutePath().getParent() != null
                            && Files.isDirectory(path.toAbsolutePath().getParent());
                    if (!readable && !toCome) {
                        throw expected(text, "a readable PEM file, or one to come in an existing directory");
                    }
                    return path;
                },
                description);
    }

    /** {@code 500ms}, {@code 30s}, {@code 5m} or {@code 1h}; more than zero. */
    public static Duration parseDuration(String text) {
        Matcher m = DURATION.matcher(text);
        if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
            throw expected(text, "a number above 0 and ms, s, m or h, e.g. 30s");
        }
        long amount = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            default -> Duration.ofHours(amount);
        };
    }

    public static long parseSize(String text) {
        Matcher m = SIZE.matcher(text);
        long value = 0;
        if (m.matches()) {
            int shift = m.group(2) == null || m.group(2).equals("B")
                    ? 0
                    : switch (m.group(2)) {
                        case "KiB" -> 10;
                        case "MiB" -> 20;
                        default -> 30;
                    };
            value = Long.parseLong(m.group(1)) << shift;
        }
        if (value < 1) {
            throw expected(text, "octets, such as 36700160 or 35MiB");
        }
        return value;
    }

    /** The shortest exact form: {@code 35MiB}, {@code 256KiB}, or the octets. */
    public static String formatSize(long octets) {
        for (String unit : new String[] {"GiB", "MiB", "KiB"}) {
            int shift = unit.equals("GiB") ? 30 : unit.equals("MiB") ? 20 : 10;
            if (octets >= 1L << shift && octets % (1L << shift) == 0) {
                return (octets >> shift) + unit;
            }
        }
        return String.valueOf(octets);
    }

    /** The largest whole unit: {@code 45s}, {@code 5m}, {@code 24h}, {@code 200ms}. */
    public static String formatDuration(Duration duration) {
        long millis = duration.toMillis();
        if (millis > 0 && millis % 3_600_000 == 0) {
            return millis / 3_600_000 + "h";
        }
        if (millis > 0 && millis % 60_000 == 0) {
            return millis / 60_000 + "m";
        }
        return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
    }

    private static String label(Enum<?> constant) {
        return constant.name().replace('_', '-').toLowerCase(Locale.ROOT);
    }

    private static IllegalArgumentException expected(String text, String what) {
        return new IllegalArgumentException("'" + text + "' (expected: " + what + ")");
    }
}
