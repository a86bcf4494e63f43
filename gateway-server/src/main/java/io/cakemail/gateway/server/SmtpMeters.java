package io.cakemail.gateway.server;

import io.cakemail.gateway.smtp.SmtpMetricsRecorder;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/** The SMTP sessions' events as Micrometer meters: {@code smtp.write.timeouts}. */
final class SmtpMeters implements SmtpMetricsRecorder {

    private final Counter writeTimeouts;

    SmtpMeters(MeterRegistry registry) {
        writeTimeouts = Counter.builder("smtp.write.timeouts")
                .description("Sessions closed because the client left its replies unread")
                .register(registry);
    }

    @Override
    public void writeTimedOut() {
        writeTimeouts.increment();
    }
}
