package io.cakemail.gateway.server.admin;

import io.cakemail.gateway.smtp.SmtpMetricsRecorder;
import io.cakemail.gateway.smtp.codec.SmtpCommand;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.BaseUnits;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The SMTP sessions' events as Micrometer meters, under the names the seed product's dashboards know:
 * {@code smtp.emails.received}, {@code smtp.message.size}, {@code smtp.auth.failures}, {@code smtp.replies} (tags
 * {@code code}: 2xx to 5xx, and {@code command}), the timers {@code smtp.processing.duration} (end of content to
 * reply) and {@code smtp.connection.duration}, {@code smtp.write.timeouts}, and {@code smtp.messages.client.left} (tag
 * {@code code}: messages answered after their client had left, the reply lost) ({@code smtp_emails_received_total},
 * {@code smtp_message_size_bytes}, {@code smtp_processing_duration_seconds}, ... in Prometheus). Every counter is
 * made up front: a reply costs an array lookup, not a registry search.
 */
public final class SmtpMeters implements SmtpMetricsRecorder {

    private final Counter writeTimeouts;
    private final Counter received;
    private final DistributionSummary sizes;
    private final Counter authFailures;
    /** By command ordinal (the last row for replies to no command), then by the code's first digit minus 2. */
    private final Counter[][] replies;
    /** By the code's first digit minus 2. */
    private final Counter[] clientLeft = new Counter[4];

    private final Timer processing;
    private final Timer connections;

    public SmtpMeters(MeterRegistry registry) {
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
        SmtpCommand[] commands = SmtpCommand.values();
        replies = new Counter[commands.length + 1][4];
        for (int c = 0; c <= commands.length; c++) {
            for (int digit = 2; digit <= 5; digit++) {
                replies[c][digit - 2] = Counter.builder("smtp.replies")
                        .tag("code", digit + "xx")
                        .tag("command", c < commands.length ? commands[c].name() : "none")
                        .description("Replies sent, by class of code and the command they answer")
                        .register(registry);
            }
        }
        for (int digit = 2; digit <= 5; digit++) {
            clientLeft[digit - 2] = Counter.builder("smtp.messages.client.left")
                    .tag("code", digit + "xx")
                    .description("Messages answered after their client had left, by class of code: the reply was lost")
                    .register(registry);
        }
        processing = Timer.builder("smtp.processing.duration")
                .description("From the end of a message's content to its reply")
                .serviceLevelObjectives(
                        seconds(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30))
                .register(registry);
        connections = Timer.builder("smtp.connection.duration")
                .description("How long SMTP connections stay open")
                .serviceLevelObjectives(seconds(0.1, 1, 5, 30, 60, 300, 600, 1800))
                .register(registry);
    }

    /** Histogram buckets at these numbers of seconds. */
    static Duration[] seconds(double... bounds) {
        Duration[] durations = new Duration[bounds.length];
        for (int i = 0; i < bounds.length; i++) {
            durations[i] = Duration.ofNanos(Math.round(bounds[i] * 1e9));
        }
        return durations;
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

    @Override
    public void replied(SmtpCommand command, int code) {
        int digit = code / 100;
        if (digit >= 2 && digit <= 5) {
            replies[command == null ? replies.length - 1 : command.ordinal()][digit - 2].increment();
        }
    }

    @Override
    public void messageAnswered(long nanos) {
        processing.record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void answeredAfterClientLeft(int code) {
        int digit = code / 100;
        if (digit >= 2 && digit <= 5) {
            clientLeft[digit - 2].increment();
        }
    }

    @Override
    public void connectionClosed(long nanos) {
        connections.record(nanos, TimeUnit.NANOSECONDS);
    }
}
