package io.cakemail.gateway.common;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * A logger whose lines each belong to an SMTP session, named by its id ({@link SessionMessage}). A line below the
 * logger's level costs a level check, no message.
 */
public final class SessionLog {

    private final Logger logger;

    private SessionLog(Logger logger) {
        this.logger = logger;
    }

    public static SessionLog of(Class<?> type) {
        return new SessionLog(LogManager.getLogger(type));
    }

    /** The logger {@code name}, such as {@code io.cakemail.gateway.limits}, which the configuration rate-limits. */
    public static SessionLog of(String name) {
        return new SessionLog(LogManager.getLogger(name));
    }

    public void debug(String session, String format, Object... args) {
        log(Level.DEBUG, session, format, args);
    }

    public void info(String session, String format, Object... args) {
        log(Level.INFO, session, format, args);
    }

    public void warn(String session, String format, Object... args) {
        log(Level.WARN, session, format, args);
    }

    public void error(String session, String format, Object... args) {
        log(Level.ERROR, session, format, args);
    }

    /** Writes {@code message} at {@code level}, for lines that carry fields of their own. */
    public void log(Level level, SessionMessage message) {
        logger.log(level, message);
    }

    public boolean isEnabled(Level level) {
        return logger.isEnabled(level);
    }

    private void log(Level level, String session, String format, Object... args) {
        if (logger.isEnabled(level)) {
            logger.log(level, new SessionMessage(session, format, args));
        }
    }
}
