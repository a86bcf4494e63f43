package io.cakemail.gateway.benchmarks;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/** Octets processed by a benchmark, reported by JMH as the rate {@code :bytes} beside the operations. */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.OPERATIONS)
public class Octets {
    public long bytes;
}
