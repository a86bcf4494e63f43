package io.cakemail.gateway.server.listen;

/**
 * Netty settings the gateway chooses when the JVM's command line does not. Applied first thing in {@code main},
 * before any Netty class reads them; a {@code -D} given to the JVM wins.
 */
public final class NettyDefaults {

    public static final String LEAK_SAMPLING_INTERVAL = "io.netty.leakDetection.samplingInterval";

    /**
     * One buffer allocation in 1,024 tracked for leaks rather than Netty's one in 128. Each tracked buffer fills two
     * stack traces (at allocation and at release); at one in 128 that took 3 % of the gateway's CPU under load
     * ({@code java_lang_Throwable::fill_in_stack_trace} in {@code perf}). A leak of one buffer per message still
     * shows within seconds at a few messages per second.
     */
    static final int LEAK_SAMPLING = 1024;

    private NettyDefaults() {}

    public static void apply() {
        if (System.getProperty(LEAK_SAMPLING_INTERVAL) == null) {
            System.setProperty(LEAK_SAMPLING_INTERVAL, String.valueOf(LEAK_SAMPLING));
        }
    }
}
