package io.cakemail.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The emails the sandbox accepted, newest first, bounded. Thread-safe.
 */
public final class Inbox {

    /** One accepted submission. */
    public record Email(String id, long accountId, JsonNode request, Instant received, String status) {
        public String recipient() {
            return request.path("email").asText(null);
        }

        public String subject() {
            return request.path("content").path("subject").asText("");
        }
    }

    private final Deque<Email> emails = new ArrayDeque<>();
    private final int capacity;

    Inbox(int capacity) {
        this.capacity = capacity;
    }

    synchronized void add(Email email) {
        emails.addFirst(email);
        while (emails.size() > capacity) {
            emails.removeLast();
        }
    }

    /** Every email kept, newest first. */
    public synchronized List<Email> emails() {
        return new ArrayList<>(emails);
    }

    /** The email with this id, or {@code null}. */
    public synchronized Email get(String id) {
        return emails.stream().filter(e -> e.id().equals(id)).findFirst().orElse(null);
    }

    public synchronized void clear() {
        emails.clear();
    }
}
