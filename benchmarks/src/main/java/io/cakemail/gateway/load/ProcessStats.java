package io.cakemail.gateway.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time and resident memory of a process, read from {@code /proc}. Linux only; zeros elsewhere or when the
 * process is unknown.
 */
final class ProcessStats {

    private static final double CLOCK_TICKS_PER_SECOND = 100.0;

    private final long pid;
    private volatile long peakRssKib;

    ProcessStats(long pid) {
        this.pid = pid;
    }

    /** User plus system CPU seconds so far. */
    double cpuSeconds() {
        if (pid <= 0) {
            return 0;
        }
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / CLOCK_TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** Reads the resident set size and keeps the highest seen. */
    void sampleRss() {
        if (pid <= 0) {
            return;
        }
        try {
            for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    long kib = Long.parseLong(line.replaceAll("[^0-9]", ""));
                    peakRssKib = Math.max(peakRssKib, kib);
                }
            }
        } catch (IOException | RuntimeException e) {
            // the process is gone; keep what was seen
        }
    }

    double peakRssMib() {
        return peakRssKib / 1024.0;
    }
}
