package io.cakemail.gateway.benchmarks;

import io.cakemail.gateway.core.mime.EncodedWords;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The worst a header can cost the event loop in {@link EncodedWords}: a whole header block of the largest size a part
 * may have (256 KiB, {@code MimeLimits}), made of one pattern over and over. {@code words} is a header of real encoded
 * words, the baseline; the others are hostile: would-be words that never close ({@code unclosed}, the input that once
 * cost seconds), openings only ({@code openings}), and charsets without a text ({@code charsets}). The score is the
 * time of one whole block, what one loop task spends on it at most.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class EncodedWordsBenchmark extends GatewayBenchmark {

    @Param({"words", "unclosed", "openings", "charsets"})
    public String pattern;

    @Param({"262144"})
    public int length;

    private String text;

    @Setup(Level.Trial)
    public void setUp() {
        String unit = switch (pattern) {
            case "words" -> "=?utf-8?q?caf=C3=A9_cr=C3=A8me?= ";
            case "unclosed" -> "=?a?b?c";
            case "openings" -> "=?=?";
            case "charsets" -> "=?utf-8?q?";
            default -> throw new IllegalArgumentException("pattern: " + pattern);
        };
        text = unit.repeat(length / unit.length());
    }

    @Benchmark
    public String decode() {
        return EncodedWords.decode(text);
    }
}
