package io.cakemail.gateway.load;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * What the load measured: messages and recipients accepted, latency from end-of-data to the reply (microseconds, in
 * an HdrHistogram), and failures by reply code. Counts only while {@link #measuring} is on.
 */
final class LoadStats {

    private final Recorder latency = new Recorder(3);
    private final LongAdder messages = new LongAdder();
    private final LongAdder recipients = new LongAdder();
    private final LongAdder authenticated = new LongAdder();
    private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
    private final AtomicLong measuredFrom = new AtomicLong();
    private volatile boolean measuring;

    void startMeasuring() {
        latency.reset();
        measuredFrom.set(System.nanoTime());
        measuring = true;
    }

    void stopMeasuring() {
        measuring = false;
    }

    boolean measuring() {
        return measuring;
    }

    long measuredFrom() {
        return measuredFrom.get();
    }

    void accepted(long latencyNanos, int recipientCount) {
        if (measuring) {
            latency.recordValue(Math.max(1, latencyNanos / 1000));
            messages.increment();
            recipients.add(recipientCount);
        }
    }

    void failed(String code) {
        if (measuring) {
            errors.computeIfAbsent(code, c -> new LongAdder()).increment();
        }
    }

    void authenticated() {
        authenticated.increment();
    }

    /** Sessions that passed AUTH, measured or not. */
    long authenticatedSessions() {
        return authenticated.sum();
    }

    long messages() {
        return messages.sum();
    }

    long recipients() {
        return recipients.sum();
    }

    Histogram latencyMicros() {
        return latency.getIntervalHistogram();
    }

    Map<String, Long> errors() {
        Map<String, Long> sorted = new TreeMap<>();
        errors.forEach((code, count) -> sorted.put(code, count.sum()));
        return sorted;
    }
}
