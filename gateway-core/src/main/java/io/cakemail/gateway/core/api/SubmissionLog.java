package io.cakemail.gateway.core.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.cakemail.gateway.core.http.ApiHttp;
import io.netty.handler.codec.http.HttpMethod;
import java.util.Optional;
import reactor.core.publisher.Mono;

/**
 * The API's own record of what it took, asked about a submission in doubt (the request was sent and no answer came,
 * or an answer that does not say): {@code GET /v2/logs/emails} with {@code log_type=submitted} over the time window
 * of the doubtful try (from its start to when it was given up, with {@value #CLOCK_SLACK} seconds either side for the
 * clocks), paged until the recipient is found with the message's subject, or every page was read. The log has no
 * filter by recipient, so a window of many submissions costs several pages; past {@value #MAX_PAGES} pages the answer
 * is "cannot tell", and the message stays in doubt.
 */
final class SubmissionLog {

    private static final int PER_PAGE = 100;
    private static final int MAX_PAGES = 50;
    /** Seconds added to the window on either side: the API's clock and this one's may differ a little. */
    private static final long CLOCK_SLACK = 10;

    private final TokenService tokens;
    private final ApiHttp http;

    SubmissionLog(TokenService tokens, ApiHttp http) {
        this.tokens = tokens;
        this.http = http;
    }

    /**
     * The email id the API gave {@code recipient} for a message of {@code subject} submitted between {@code since} and
     * {@code until} (epoch seconds); empty when the log shows no such submission; an error when the log cannot tell.
     */
    Mono<Optional<String>> taken(
            ApiPrincipal principal, Long accountId, String recipient, String subject, long since, long until) {
        return page(principal, accountId, recipient, subject, since - CLOCK_SLACK, until + CLOCK_SLACK, 1);
    }

    private Mono<Optional<String>> page(
            ApiPrincipal principal, Long accountId, String recipient, String subject, long from, long until, int page) {
        String uri = "/v2/logs/emails?log_type=submitted&start_time=" + from + "&end_time=" + until + "&page=" + page
                + "&per_page=" + PER_PAGE + (accountId == null ? "" : "&account_id=" + accountId);
        return tokens.authorized(principal, token -> http.send(HttpMethod.GET, uri, token, null, null, null))
                .flatMap(response -> {
                    if (response.status() != 200) {
                        return Mono.error(new ApiUnavailableException(
                                "the Cakemail API's log answered " + response.status() + ": " + response.reason()));
                    }
                    JsonNode body = response.json();
                    for (JsonNode event : body.path("data")) {
                        if (event.path("email").asText("").equalsIgnoreCase(recipient)
                                && (!event.hasNonNull("subject")
                                        || event.path("subject").asText().equals(subject))) {
                            return Mono.just(Optional.of(event.path("email_id").asText()));
                        }
                    }
                    if (!body.path("pagination").path("has_more").asBoolean(false)) {
                        return Mono.just(Optional.<String>empty());
                    }
                    if (page >= MAX_PAGES) {
                        return Mono.error(new ApiUnavailableException("the Cakemail API's log holds more than "
                                + MAX_PAGES * PER_PAGE + " submissions in the window"));
                    }
                    return page(principal, accountId, recipient, subject, from, until, page + 1);
                });
    }
}
