package io.cakemail.gateway.server;

import io.cakemail.gateway.core.api.Delivery;
import io.cakemail.gateway.core.api.RecipientOutcome;
import io.cakemail.gateway.core.api.SenderDirectory;
import io.cakemail.gateway.core.submission.Refusal;
import io.cakemail.gateway.smtp.SmtpReply;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns the core's outcomes into SMTP replies, following the reply table of the design: {@code 250} only when the
 * API queued the message for at least one recipient and refused the others for good; {@code 451} when any recipient
 * could not be submitted now; {@code 550}/{@code 554} when the API refused every recipient.
 */
final class Replies {

    private static final int MAX_LISTED = 5;

    private Replies() {}

    /** A refusal of the transformer or of the memory budget, its reason on one line. */
    static SmtpReply refusal(Refusal refusal) {
        return SmtpReply.of(refusal.code(), refusal.enhancedStatus(), refusal.reason());
    }

    static SmtpReply delivery(Delivery delivery) {
        if (delivery instanceof Delivery.SenderNotConfirmed sender) {
            String problem =
                    sender.status() == SenderDirectory.Status.UNCONFIRMED ? "is not confirmed yet" : "is not a sender";
            return SmtpReply.of(
                    550,
                    "5.7.1",
                    "Sender " + sender.address() + " " + problem
                            + " of this Cakemail account; confirm it, or set X-Sender-Id");
        }
        if (delivery instanceof Delivery.NotSent notSent) {
            return refusal(notSent.refusal());
        }
        if (delivery instanceof Delivery.Unavailable unavailable) {
            return SmtpReply.of(451, "4.3.0", unavailable.reason());
        }
        return outcomes(((Delivery.Submitted) delivery).outcomes());
    }

    private static SmtpReply outcomes(List<RecipientOutcome> outcomes) {
        List<String> queuedIds = new ArrayList<>(outcomes.size());
        List<RecipientOutcome.Refused> refused = new ArrayList<>(0);
        RecipientOutcome.Deferred firstDeferred = null;
        for (RecipientOutcome outcome : outcomes) {
            if (outcome instanceof RecipientOutcome.Queued queued) {
                queuedIds.add(queued.emailId());
            } else if (outcome instanceof RecipientOutcome.Refused refusal) {
                refused.add(refusal);
            } else if (firstDeferred == null) {
                firstDeferred = (RecipientOutcome.Deferred) outcome;
            }
        }
        if (firstDeferred != null) {
            String kept = queuedIds.isEmpty()
                    ? ""
                    : "; " + queuedIds.size() + " recipient(s) already accepted will" + " not be sent again on retry";
            return SmtpReply.of(451, firstDeferred.tokenRejected() ? "4.7.0" : "4.3.0", firstDeferred.reason() + kept);
        }
        if (queuedIds.isEmpty()) {
            RecipientOutcome.Refused first = refused.get(0);
            boolean policy = first.status() == 403 || first.status() == 201;
            return SmtpReply.of(
                    policy ? 550 : 554,
                    policy ? "5.7.1" : "5.6.0",
                    "Refused by the Cakemail API: " + first.recipient() + ": " + first.reason());
        }
        String ids = list(queuedIds);
        if (refused.isEmpty()) {
            return SmtpReply.of(250, "2.0.0", "Queued as " + ids);
        }
        String refusedList = list(refused.stream()
                .map(r -> r.recipient() + " (" + r.reason() + ")")
                .toList());
        return SmtpReply.of(
                250,
                "2.0.0",
                "Queued for " + queuedIds.size() + " of " + outcomes.size() + " recipients as " + ids + "; refused: "
                        + refusedList);
    }

    private static String list(List<String> items) {
        String shown = String.join(", ", items.subList(0, Math.min(MAX_LISTED, items.size())));
        return items.size() > MAX_LISTED ? shown + " and " + (items.size() - MAX_LISTED) + " more" : shown;
    }
}
