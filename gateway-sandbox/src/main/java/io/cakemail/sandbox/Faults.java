package io.cakemail.sandbox;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The faults in force, consumed as calls match them. Thread-safe.
 */
public final class Faults {

    private final List<Entry> entries = new ArrayList<>();

    /** Adds a fault; it applies after those added before it. */
    public synchronized void add(Fault fault) {
        entries.add(new Entry(fault, fault.times()));
    }

    public synchronized void clear() {
        entries.clear();
    }

    /** The first fault for this call, counted as used; {@code null} when none applies. */
    synchronized Fault take(String path, String email) {
        for (Iterator<Entry> it = entries.iterator(); it.hasNext(); ) {
            Entry entry = it.next();
            if (entry.fault.matches(path, email)) {
                if (entry.left > 0 && --entry.left == 0) {
                    it.remove();
                }
                return entry.fault;
            }
        }
        return null;
    }

    private static final class Entry {
        final Fault fault;
        int left;

        Entry(Fault fault, int left) {
            this.fault = fault;
            this.left = left;
        }
    }
}
