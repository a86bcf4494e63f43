package io.cakemail.gateway.core.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;

/** A message's metadata as the ledgers keep it: one JSON object of strings. */
public final class LedgerMetadata {

    private static final ObjectMapper JSON = new ObjectMapper();

    private LedgerMetadata() {}

    public static String json(Map<String, String> metadata) {
        try {
            return JSON.writeValueAsString(metadata);
        } catch (JsonProcessingException impossible) { // a map of strings always writes
            throw new IllegalStateException(impossible);
        }
    }
}
