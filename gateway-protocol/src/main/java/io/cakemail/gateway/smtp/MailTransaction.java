package io.cakemail.gateway.smtp;

import java.util.ArrayList;
import java.util.List;

/**
 * The envelope being built between MAIL and the start of content.
 */
final class MailTransaction {

    private final String sender;
    private final MailParameters parameters;
    private final List<String> recipients = new ArrayList<>();

    MailTransaction(String sender, MailParameters parameters) {
        this.sender = sender;
        this.parameters = parameters;
    }

    String sender() {
        return sender;
    }

    MailParameters parameters() {
        return parameters;
    }

    List<String> recipients() {
        return recipients;
    }
}
