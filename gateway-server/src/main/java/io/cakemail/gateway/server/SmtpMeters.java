package io.cakemail.gateway.server;

import io.cakemail.gateway.smtp.SmtpMetricsRecorder;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.BaseUnits;

/**
 * The SMTP sessions' events as Micrometer meters, under the names the seed product's dashboards know:
 * {@code smtp.emails.received}, {@code smtp.message.size}, {@code smtp.auth.failures} and {@code smtp.write.timeouts}
 * ({@code smtp_emails_received_total}, {@code smtp_message_size_bytes}, ... in Prometheus).
 */
final class SmtpMeters implements SmtpMetricsRecorder {

    private final Counter writeTimeouts;
    private final Counter received;
    private final DistributionSummary sizes;
    private final Counter authFailures;

    SmtpMeters(MeterRegistry registry) {
        writeTimeouts = Counter.builder("smtp.write.timeouts")
                .description("Sessions closed because the client left its replies unread")
                .register(registry);
        received = Counter.builder("smtp.emails.received")
                .description("Messages whose content arrived whole, whatever became of them")
                .register(registry);
        sizes = DistributionSummary.builder("smtp.message.size")
                .baseUnit(BaseUnits.BYTES)
                .description("Size of the messages received")
                .serviceLevelObjectives(10_240, 102_400, 1_048_576, 10_485_760, 26_214_400)
                .register(registry);
        authFailures = Counter.builder("smtp.auth.failures")
                .description("AUTH attempts refused")
                .register(registry);
    }

    @Override
    public void writeTimedOut() {
        writeTimeouts.increment();
    }

    @Override
    public void messageReceived(long size) {
        received.increment();
        sizes.record(size);
    }

    @Override
    public void authenticationFailed() {
        authFailures.increment();
    }
}
