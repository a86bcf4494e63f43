package io.cakemail.gateway.core.mime;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A structured header value: {@code value; name=token; name="quoted"}, with RFC 2231 continuations and charsets
 * ({@code name*0*=utf-8''%E2%82%AC; name*1=...}) and, as mail clients accept, RFC 2047 encoded words inside values.
 * Comments in parentheses are ignored. Parameter names are lower-cased.
 *
 * @param value the part before the first {@code ;}, lower-cased and trimmed
 * @param parameters the decoded parameters, in order of first appearance
 */
public record HeaderParameters(String value, Map<String, String> parameters) {

    public static HeaderParameters parse(String header) {
        List<String> segments = split(header == null ? "" : header);
        String value = segments.get(0).trim().toLowerCase(Locale.ROOT);
        Map<String, String> simple = new LinkedHashMap<>();
        Map<String, TreeMap<Integer, Section>> extended = new LinkedHashMap<>();
        for (String segment : segments.subList(1, segments.size())) {
            int eq = segment.indexOf('=');
            if (eq <= 0) {
                continue;
            }
            String name = segment.substring(0, eq).trim().toLowerCase(Locale.ROOT);
            String raw = unquote(segment.substring(eq + 1).trim());
            int star = name.indexOf('*');
            if (star < 0) {
                simple.putIfAbsent(name, EncodedWords.decode(raw));
                continue;
            }
            String base = name.substring(0, star);
            String rest = name.substring(star + 1);
            boolean encoded = rest.endsWith("*") || rest.isEmpty();
            String number = rest.endsWith("*") ? rest.substring(0, rest.length() - 1) : rest;
            int index = number.isEmpty() ? 0 : parseIndex(number);
            if (index >= 0) {
                extended.computeIfAbsent(base, k -> new TreeMap<>()).putIfAbsent(index, new Section(raw, encoded));
            }
        }
        Map<String, String> parameters = new LinkedHashMap<>(simple);
        extended.forEach((name, sections) -> parameters.put(name, join(sections)));
        return new HeaderParameters(value, parameters);
    }

    /** A parameter's value, or {@code null}. */
    public String parameter(String name) {
        return parameters.get(name);
    }

    private record Section(String raw, boolean encoded) {}

    private static String join(TreeMap<Integer, Section> sections) {
        String charset = null;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int expected = 0;
        for (Map.Entry<Integer, Section> entry : sections.entrySet()) {
            if (entry.getKey() != expected++) {
                break; // RFC 2231 3: a gap ends the value
            }
            Section section = entry.getValue();
            String raw = section.raw();
            if (section.encoded() && entry.getKey() == 0) {
                int first = raw.indexOf('\'');
                int second = first < 0 ? -1 : raw.indexOf('\'', first + 1);
                if (second > 0) {
                    charset = raw.substring(0, first);
                    raw = raw.substring(second + 1);
                }
            }
            if (section.encoded()) {
                percentDecode(raw, bytes);
            } else {
                bytes.writeBytes(raw.getBytes(StandardCharsets.UTF_8));
            }
        }
        byte[] decoded = bytes.toByteArray();
        return Charsets.decode(decoded, 0, decoded.length, charset);
    }

    private static void percentDecode(String raw, ByteArrayOutputStream out) {
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%'
                    && i + 2 < raw.length()
                    && Character.digit(raw.charAt(i + 1), 16) >= 0
                    && Character.digit(raw.charAt(i + 2), 16) >= 0) {
                out.write(Character.digit(raw.charAt(i + 1), 16) << 4 | Character.digit(raw.charAt(i + 2), 16));
                i += 2;
            } else {
                out.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    private static int parseIndex(String number) {
        if (number.length() > 3 || !number.chars().allMatch(Character::isDigit)) {
            return -1;
        }
        return Integer.parseInt(number);
    }

    /** Splits on {@code ;} outside quotes, dropping comments. */
    private static List<String> split(String header) {
        List<String> segments = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean quoted = false;
        int comment = 0;
        for (int i = 0; i < header.length(); i++) {
            char c = header.charAt(i);
            if (quoted) {
                current.append(c);
                if (c == '\\' && i + 1 < header.length()) {
                    current.append(header.charAt(++i));
                } else if (c == '"') {
                    quoted = false;
                }
            } else if (comment > 0) {
                comment += c == '(' ? 1 : c == ')' ? -1 : 0;
            } else if (c == '(') {
                comment = 1;
            } else if (c == '"') {
                quoted = true;
                current.append(c);
            } else if (c == ';') {
                segments.add(current.toString());
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        segments.add(current.toString());
        return segments;
    }

    private static String unquote(String value) {
        if (value.length() < 2 || value.charAt(0) != '"') {
            return value;
        }
        int end = value.endsWith("\"") ? value.length() - 1 : value.length();
        StringBuilder out = new StringBuilder(end);
        for (int i = 1; i < end; i++) {
            char c = value.charAt(i);
            if (c == '\\' && i + 1 < end) {
                c = value.charAt(++i);
            }
            out.append(c);
        }
        return out.toString();
    }
}
