package io.cakemail.gateway.server.bridge;

import io.cakemail.gateway.core.api.Delivery;
import io.cakemail.gateway.core.api.RecipientOutcome;
import io.cakemail.gateway.core.api.SenderDirectory;
import io.cakemail.gateway.core.transform.Refusal;
import io.cakemail.gateway.smtp.SmtpReply;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns the core's outcomes into SMTP replies, following the reply table of the design: {@code 250} only when the
 * API queued the message for at least one recipient and refused the others for good; {@code 451} when any recipient
 * could not be submitted now or may have reached the API without an answer (in doubt); {@code 550}/{@code 554} when
 * the API refused every recipient ({@code 554 5.7.8} when it
 * refused the login's credentials, a password changed since the session logged in).
 */
public final class Replies {

    private static final int MAX_LISTED = 5;
    /** The text a reply line may hold: SMTP's 512 octets, less the code, the enhanced status and CRLF. */
    private static final int MAX_TEXT = 512 - "250-2.0.0 ".length() - 2;

    private Replies() {}

    /**
     * A refusal of the transformer or of the memory budget, its reason on one line: a size limit {@code 552 5.3.4}, no
     * room now {@code 452 4.3.1}, the message's structure or headers {@code 554 5.6.0}, a media type the API cannot
     * carry {@code 554 5.6.1}.
     */
    static SmtpReply refusal(Refusal refusal) {
        return switch (refusal.kind()) {
            case TOO_LARGE -> SmtpReply.of(552, "5.3.4", refusal.reason());
            case NO_ROOM -> SmtpReply.of(452, "4.3.1", refusal.reason());
            case BAD_CONTENT -> SmtpReply.of(554, "5.6.0", refusal.reason());
            case UNSUPPORTED_MEDIA -> SmtpReply.of(554, "5.6.1", refusal.reason());
        };
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
        if (delivery instanceof Delivery.Checked checked) {
            return SmtpReply.of(
                    250, "2.0.0", "Ok: not sent, as " + checked.header() + " asks; the message was checked as if sent");
        }
        if (delivery instanceof Delivery.CredentialsRefused refused) {
            return credentialsRefused(refused.reason());
        }
        if (delivery instanceof Delivery.Unavailable unavailable) {
            return SmtpReply.of(451, "4.3.0", unavailable.reason());
        }
        Delivery.Submitted submitted = (Delivery.Submitted) delivery;
        return outcomes(submitted.outcomes(), submitted.recorded());
    }

    private static SmtpReply outcomes(List<RecipientOutcome> outcomes, boolean recorded) {
        List<String> queuedIds = new ArrayList<>(outcomes.size());
        List<RecipientOutcome.Refused> refused = new ArrayList<>(0);
        RecipientOutcome.Deferred firstDeferred = null;
        RecipientOutcome.InDoubt firstInDoubt = null;
        int inDoubt = 0;
        for (RecipientOutcome outcome : outcomes) {
            if (outcome instanceof RecipientOutcome.Queued queued) {
                queuedIds.add(queued.emailId());
            } else if (outcome instanceof RecipientOutcome.Refused refusal) {
                refused.add(refusal);
            } else if (outcome instanceof RecipientOutcome.InDoubt doubt) {
                firstInDoubt = firstInDoubt == null ? doubt : firstInDoubt;
                inDoubt++;
            } else if (firstDeferred == null) {
                firstDeferred = (RecipientOutcome.Deferred) outcome;
            }
        }
        if (firstDeferred != null || firstInDoubt != null) {
            String reason = firstDeferred != null ? firstDeferred.reason() : firstInDoubt.reason();
            boolean token = firstDeferred != null && firstDeferred.tokenRejected();
            return SmtpReply.of(
                    451, token ? "4.7.0" : "4.3.0", reason + retryPromise(queuedIds.size(), inDoubt, recorded));
        }
        if (queuedIds.isEmpty()) {
            RecipientOutcome.Refused first = refused.get(0);
            if (first.status() == 401) {
                return credentialsRefused(first.reason());
            }
            boolean policy = first.status() == 403 || first.status() == 201;
            return SmtpReply.of(
                    policy ? 550 : 554,
                    policy ? "5.7.1" : "5.6.0",
                    "Refused by the Cakemail API: " + first.recipient() + ": " + first.reason());
        }
        List<String> lines = queuedAs(queuedIds);
        if (!refused.isEmpty()) {
            lines.add(shorter("Not queued for " + refused.size() + " of " + outcomes.size() + " recipients: "
                    + list(refused.stream()
                            .map(r -> r.recipient() + " (" + r.reason() + ")")
                            .toList())));
        }
        return SmtpReply.multiline(250, "2.0.0", lines);
    }

    /**
     * What a 451 tells of the recipients the API took, or may have taken, when others must be tried again: the retry
     * does not send to them again (the ledger recorded them), or it may (it could not; the reply says so rather than
     * promise what was not recorded).
     */
    private static String retryPromise(int accepted, int inDoubt, boolean recorded) {
        StringBuilder text = new StringBuilder();
        if (accepted > 0) {
            text.append("; ")
                    .append(accepted)
                    .append(" recipient(s) already accepted ")
                    .append(recorded ? "will not be sent again on retry" : "may be sent again on retry (not recorded)");
        }
        if (inDoubt > 0) {
            text.append("; ")
                    .append(inDoubt)
                    .append(" recipient(s) in doubt, the API may have it: ")
                    .append(
                            recorded
                                    ? "the retry asks the API before sending again"
                                    : "the retry may send again (not recorded)");
        }
        return text.toString();
    }

    private static SmtpReply credentialsRefused(String reason) {
        return SmtpReply.of(554, "5.7.8", "Refused by the Cakemail API: " + reason);
    }

    /**
     * {@code Ok: queued as <id> [<id> ...]}, as Postfix and SendGrid shape it (PHPMailer's transaction id and the usual
     * {@code /queued as (\S+)/} read it), every id of the API's, on as many lines as the ids need within SMTP's
     * longest reply line.
     */
    private static List<String> queuedAs(List<String> ids) {
        List<String> lines = new ArrayList<>(1);
        StringBuilder line = new StringBuilder("Ok: queued as");
        int onLine = 0;
        for (String id : ids) {
            if (onLine > 0 && line.length() + 1 + id.length() > MAX_TEXT) {
                lines.add(line.toString());
                line.setLength(0);
                line.append("and");
                onLine = 0;
            }
            line.append(' ').append(id);
            onLine++;
        }
        lines.add(line.toString());
        return lines;
    }

    private static String shorter(String text) {
        return text.length() <= MAX_TEXT ? text : text.substring(0, MAX_TEXT - 3) + "...";
    }

    private static String list(List<String> items) {
        String shown = String.join(", ", items.subList(0, Math.min(MAX_LISTED, items.size())));
        return items.size() > MAX_LISTED ? shown + " and " + (items.size() - MAX_LISTED) + " more" : shown;
    }
}
