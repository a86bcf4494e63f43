package io.cakemail.gateway.core.api;

import io.cakemail.gateway.core.json.SubmissionBody;

/**
 * What every recipient's submission of one message shares: who sends it, for which account, where, the JSON written
 * once, its subject (what the API's log shows of it), and when the message's time runs out ({@link System#nanoTime}).
 */
record MessageSubmission(
        ApiPrincipal principal, Long accountId, String uri, SubmissionBody body, String subject, long deadline) {}
