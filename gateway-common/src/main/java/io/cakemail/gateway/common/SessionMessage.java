package io.cakemail.gateway.common;

import org.apache.logging.log4j.message.AsynchronouslyFormattable;
import org.apache.logging.log4j.message.ParameterizedMessage;
import org.apache.logging.log4j.message.StringMapMessage;
import org.apache.logging.log4j.util.IndexedReadOnlyStringMap;
import org.apache.logging.log4j.util.StringBuilderFormattable;

/**
 * A log line of one SMTP session, carrying the session's id explicitly rather than in a thread-local (a session's
 * callbacks run on event loops and API threads that serve many sessions). A text layout shows
 * {@code [id] text name=value ...} with the fields added as {@linkplain #field fields}; the JSON layout asks for the
 * {@code JSON} format and gets {@code "[id] text"} as the message, each field, {@code session.id} among them, being a
 * field of its own. Its content is fixed once logged, so the asynchronous appender formats it on its own thread, not
 * the event loop's.
 */
@AsynchronouslyFormattable
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

    /** {@code JSON}, which gives the text alone as a JSON string: the fields have places of their own there. */
    @Override
    public String[] getFormats() {
        return new String[] {"JSON"};
    }

    @Override
    public String getFormattedMessage(String[] formats) {
        for (String format : formats) {
            if (format.equalsIgnoreCase("JSON")) {
                StringBuilder json =
                        new StringBuilder(64).append("\"[").append(session).append("] ");
                int start = json.length();
                ((StringBuilderFormattable) text).formatTo(json);
                for (int i = start; i < json.length(); i++) {
                    char c = json.charAt(i);
                    if (c == '"' || c == '\\') {
                        json.insert(i++, '\\');
                    } else if (c < ' ') {
                        json.setCharAt(i, ' ');
                    }
                }
                return json.append('"').toString();
            }
        }
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
        if (isWord(value)) {
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

    private static boolean isWord(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c <= ' ' || c == '"' || c == '\\') {
                return false;
            }
        }
        return !value.isEmpty();
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
