package io.cakemail.gateway.load;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The load generator's command line: {@code --name value} pairs, every one with a default.
 *
 * @param host the gateway's address; only loopback is accepted
 * @param port its SMTP port
 * @param tls {@code none}, {@code starttls} or {@code implicit}
 * @param username AUTH PLAIN username, or {@code null} for no AUTH
 * @param password AUTH PLAIN password
 * @param connections concurrent connections
 * @param messagesPerConnection messages before a connection is replaced (QUIT and reconnect)
 * @param sizes message sizes in octets
 * @param recipients recipients per message
 * @param duration how long to measure (ignored when {@code count} is set)
 * @param warmup how long to send before measuring
 * @param count how many messages to measure, 0 for a duration
 * @param rate messages per second to offer (open model), 0 for as fast as replies allow (closed model)
 * @param from the envelope and header sender
 * @param gatewayPid the gateway's process id, for its CPU and memory, or 0
 * @param apiSink a description of the API behind the gateway, for the report
 * @param idle connect and authenticate, then send nothing: to measure what idle sessions cost
 * @param proxy {@code true} to start each connection with a PROXY protocol v1 header, each from another of 250
 *              client addresses in turn ({@code --proxy v1})
 * @param content what the messages hold: {@code text} (lines of text), {@code attachment} (a short text and PDFs
 *                of random octets, base64, each at most 10 MiB decoded), {@code mixed} (the two in turn) or
 *                {@code newsletter} (an HTML part of about the size with two inline images, and its text)
 */
record LoadOptions(
        String host,
        int port,
        String tls,
        String username,
        String password,
        int connections,
        int messagesPerConnection,
        Distribution sizes,
        Distribution recipients,
        Duration duration,
        Duration warmup,
        long count,
        double rate,
        String from,
        long gatewayPid,
        String apiSink,
        boolean idle,
        boolean proxy,
        String content) {

    static LoadOptions parse(String[] args) {
        Map<String, String> given = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("expected --name value, got " + args[i]);
            }
            given.put(args[i].substring(2), args[i + 1]);
        }
        String host = given.getOrDefault("host", "127.0.0.1");
        if (!host.equals("127.0.0.1") && !host.equals("localhost") && !host.equals("::1")) {
            throw new IllegalArgumentException("host: " + host + " (expected: loopback only)");
        }
        String auth = given.get("auth");
        return new LoadOptions(
                host,
                Integer.parseInt(given.getOrDefault("port", "2465")),
                given.getOrDefault("tls", "implicit"),
                auth == null ? null : auth.substring(0, auth.indexOf(':')),
                auth == null ? null : auth.substring(auth.indexOf(':') + 1),
                Integer.parseInt(given.getOrDefault("connections", "50")),
                Integer.parseInt(given.getOrDefault("messages-per-connection", "1000")),
                Distribution.parse(given.getOrDefault("size", "1024")),
                Distribution.parse(given.getOrDefault("recipients", "1")),
                Duration.ofSeconds(Long.parseLong(given.getOrDefault("duration", "30"))),
                Duration.ofSeconds(Long.parseLong(given.getOrDefault("warmup", "5"))),
                Long.parseLong(given.getOrDefault("count", "0")),
                Double.parseDouble(given.getOrDefault("rate", "0")),
                given.getOrDefault("from", "sender@example.com"),
                Long.parseLong(given.getOrDefault("gateway-pid", "0")),
                given.getOrDefault("api-sink", "unknown"),
                Boolean.parseBoolean(given.getOrDefault("idle", "false")),
                proxy(given.getOrDefault("proxy", "none")),
                content(given.getOrDefault("content", "text")));
    }

    private static boolean proxy(String proxy) {
        if (!proxy.equals("none") && !proxy.equals("v1")) {
            throw new IllegalArgumentException("proxy: " + proxy + " (expected: none or v1)");
        }
        return proxy.equals("v1");
    }

    private static String content(String content) {
        if (!List.of("text", "attachment", "mixed", "newsletter").contains(content)) {
            throw new IllegalArgumentException(
                    "content: " + content + " (expected: text, attachment, mixed or newsletter)");
        }
        return content;
    }
}
