package io.cakemail.gateway.smtp;

import org.apache.logging.log4j.message.ParameterizedMessage;
import org.apache.logging.log4j.message.StringMapMessage;
import org.apache.logging.log4j.util.IndexedReadOnlyStringMap;
import org.apache.logging.log4j.util.StringBuilderFormattable;

/**
 * A log line of one SMTP session, carrying the session's id explicitly rather than in a thread-local (a session's
 * callbacks run on event loops and API threads that serve many sessions). A text layout shows
 * {@code [id] text name=value ...} with the fields added as {@linkplain #field fields}; a structured one
 * (the JSON layout) gets the text as the message and each field, {@code session.id} among them, as a field.
 */
public final class SessionMessage extends StringMapMessage {

    private static final long serialVersionUID = 1L;

    private final String session;
    private final ParameterizedMessage text;

    /** {@code format} as Log4j formats it: {@code {}} for each of {@code args}, a last Throwable as the error. */
    public SessionMessage(String session, String format, Object... args) {
        super(4);
        this.session = session;
        this.text = new ParameterizedMessage(format, args);
        with("session.id", session);
    }

    /** Adds a field; {@code value} as {@link String#valueOf(Object)} writes it. */
    public SessionMessage field(String name, Object value) {
        with(name, String.valueOf(value));
        return this;
    }

    @Override
    public String getFormattedMessage() {
        StringBuilder line = new StringBuilder(80);
        formatTo(line);
        return line.toString();
    }

    @Override
    public String getFormattedMessage(String[] formats) {
        return getFormattedMessage();
    }

    @Override
    public void formatTo(StringBuilder buffer) {
        buffer.append('[').append(session).append("] ");
        ((StringBuilderFormattable) text).formatTo(buffer);
        IndexedReadOnlyStringMap fields = getIndexedReadOnlyStringMap();
        for (int i = 0; i < fields.size(); i++) {
            String name = fields.getKeyAt(i);
            if (!name.equals("session.id")) {
                buffer.append(' ').append(name).append('=');
                appendValue(buffer, fields.<String>getValueAt(i));
            }
        }
    }

    /** A value as is when it is one word, else quoted with its quotes and backslashes escaped. */
    private static void appendValue(StringBuilder buffer, String value) {
        if (!value.isEmpty() && value.chars().noneMatch(c -> c <= ' ' || c == '"' || c == '\\')) {
            buffer.append(value);
            return;
        }
        buffer.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"' || c == '\\') {
                buffer.append('\\');
            }
            buffer.append(c < ' ' ? '?' : c);
        }
        buffer.append('"');
    }

    @Override
    public String getFormat() {
        return text.getFormat();
    }

    @Override
    public Throwable getThrowable() {
        return text.getThrowable();
    }
}
