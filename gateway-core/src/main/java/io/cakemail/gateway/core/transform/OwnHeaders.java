package io.cakemail.gateway.core.transform;

import io.cakemail.gateway.core.mime.EncodedWords;
import io.cakemail.gateway.core.mime.HeaderField;
import io.cakemail.gateway.core.mime.MimeHeaders;
import java.util.List;

/**
 * What the message's own header block says: its subject (decoded, {@linkplain HeaderText#printable printable}), its
 * From, its Message-ID, every field as written (the message's identity), those that travel as
 * {@code additional_headers}, and its control headers.
 *
 * @param subject the decoded Subject, or {@code null}
 * @param messageId the Message-ID as written, or {@code null}
 */
record OwnHeaders(
        String subject,
        Mailbox from,
        String messageId,
        List<HeaderField> fields,
        List<HeaderField> forwarded,
        ControlHeaders control) {

    /**
     * Reads {@code headers}.
     *
     * @throws ControlHeaders.InvalidHeaderException for a control header the gateway cannot honour
     */
    static OwnHeaders read(MimeHeaders headers) {
        String rawSubject = headers.value("Subject");
        return new OwnHeaders(
                rawSubject == null
                        ? null
                        : HeaderText.printable(EncodedWords.decode(rawSubject)).trim(),
                Mailbox.parse(headers.value("From")),
                headers.value("Message-ID"),
                headers.fields(),
                ForwardedHeaders.select(headers.fields()),
                ControlHeaders.read(headers.fields()));
    }
}
