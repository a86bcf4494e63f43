package io.cakemail.gateway.load;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * Loads an SMTP server on loopback and reports what it sustained: messages and recipients per second, latency from
 * end-of-data to the reply (p50 to max), errors by reply code, and the server's CPU seconds per 1,000 messages and
 * peak resident memory (read from {@code /proc} when {@code --gateway-pid} is given). Prints a human-readable report,
 * then one JSON line. Stops by itself.
 *
 * <pre>java -cp benchmarks.jar io.cakemail.gateway.load.LoadGenerator --port 2465 --tls implicit
 *     --auth user:password --connections 50 --size 1024 --recipients 1 --duration 30 --warmup 5 [--rate 5000]
 *     [--count N] [--gateway-pid PID]</pre>
 */
public final class LoadGenerator {

    private LoadGenerator() {}

    public static void main(String[] args) throws Exception {
        run(LoadOptions.parse(args), System.out);
    }

    /** Runs the load {@code options} describe and prints its report to {@code out}. */
    static void run(LoadOptions options, PrintStream out) throws Exception {
        boolean epoll = Epoll.isAvailable();
        EventLoopGroup group =
                new MultiThreadIoEventLoopGroup(1, epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        Class<? extends Channel> channelType = epoll ? EpollSocketChannel.class : NioSocketChannel.class;
        LoadRun run = new LoadRun(
                options,
                group,
                channelType,
                SslContextBuilder.forClient()
                        .sslProvider(OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK)
                        .trustManager(InsecureTrustManagerFactory.INSTANCE)
                        .build());
        ProcessStats gateway = new ProcessStats(options.gatewayPid());
        try {
            run.start();
            Thread.sleep(options.warmup().toMillis());
            double cpuBefore = gateway.cpuSeconds();
            run.startMeasuring();
            long end = System.nanoTime() + options.duration().toNanos();
            while (options.count() > 0 ? run.stats().messages() < options.count() : System.nanoTime() < end) {
                gateway.sampleRss();
                Thread.sleep(50);
            }
            if (!options.idle() && run.stats().messages() == 0) {
                run.stats().failed("no message completed"); // a run that measured nothing must not look clean
            }
            run.stats().stopMeasuring();
            long backlog = run.backlog();
            double seconds = (System.nanoTime() - run.stats().measuredFrom()) / 1e9;
            double cpu = gateway.cpuSeconds() - cpuBefore;
            run.stop();
            report(out, options, run.stats(), seconds, cpu, gateway.peakRssMib(), backlog);
        } finally {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
            run.release();
        }
    }

    private static void report(
            PrintStream out,
            LoadOptions options,
            LoadStats stats,
            double seconds,
            double cpu,
            double rssMib,
            long backlog) {
        Histogram latency = stats.latencyMicros();
        long messages = stats.messages();
        long errors =
                stats.errors().values().stream().mapToLong(Long::longValue).sum();
        double perSecond = messages / seconds;
        double cpuPer1000 = messages == 0 ? 0 : cpu * 1000 / messages;
        out.printf(
                Locale.ROOT,
                "%nLoad: %d connections, tls %s, sizes %s (%s), recipients %s, %s, API %s%n",
                options.connections(),
                options.tls(),
                describe(options.sizes()),
                options.content(),
                describe(options.recipients()),
                options.rate() > 0 ? "open model at " + options.rate() + " msg/s" : "closed model",
                options.apiSink());
        out.printf(
                Locale.ROOT,
                "Measured %.1f s: %d messages, %.0f msg/s, %.0f recipients/s%n",
                seconds,
                messages,
                perSecond,
                stats.recipients() / seconds);
        out.printf(
                Locale.ROOT,
                "Latency end-of-data to reply (ms): p50 %.2f  p90 %.2f  p99 %.2f  p99.9 %.2f" + "  max %.2f%n",
                ms(latency, 50),
                ms(latency, 90),
                ms(latency, 99),
                ms(latency, 99.9),
                latency.getMaxValue() / 1000.0);
        out.printf(
                Locale.ROOT,
                "Errors: %d %s; sessions authenticated: %d%n",
                errors,
                stats.errors(),
                stats.authenticatedSessions());
        if (options.rate() > 0) {
            out.printf(
                    Locale.ROOT,
                    "Open model: %d offered messages not sent when measuring ended%s%n",
                    backlog,
                    backlog > options.rate() / 10 ? " (the gateway did not keep up with the rate)" : "");
        }
        out.printf(Locale.ROOT, "Gateway: %.3f CPU s per 1,000 messages, peak RSS %.0f MiB%n", cpuPer1000, rssMib);
        StringBuilder json = new StringBuilder("{");
        field(json, "messages_per_second", perSecond);
        field(json, "recipients_per_second", stats.recipients() / seconds);
        field(json, "p50_ms", ms(latency, 50));
        field(json, "p90_ms", ms(latency, 90));
        field(json, "p99_ms", ms(latency, 99));
        field(json, "p999_ms", ms(latency, 99.9));
        field(json, "max_ms", latency.getMaxValue() / 1000.0);
        json.append("\"errors\":").append(errors).append(",\"errors_by_code\":{");
        boolean first = true;
        for (Map.Entry<String, Long> error : stats.errors().entrySet()) {
            json.append(first ? "" : ",")
                    .append('"')
                    .append(error.getKey().replace("\"", "'"))
                    .append("\":")
                    .append(error.getValue());
            first = false;
        }
        json.append("},");
        field(json, "cpu_seconds_per_1000_messages", cpuPer1000);
        field(json, "peak_rss_mib", rssMib);
        json.append("\"authenticated_sessions\":").append(stats.authenticatedSessions());
        json.append(",\"open_model_backlog\":").append(backlog);
        json.append(",\"messages\":")
                .append(messages)
                .append(",\"connections\":")
                .append(options.connections())
                .append(",\"duration_s\":")
                .append(String.format(Locale.ROOT, "%.1f", seconds))
                .append(",\"content\":\"")
                .append(options.content())
                .append("\",\"tls\":\"")
                .append(options.tls())
                .append("\",\"api_sink\":\"")
                .append(options.apiSink())
                .append("\",\"model\":\"")
                .append(options.rate() > 0 ? "open" : "closed")
                .append("\"}");
        out.println(json);
    }

    private static double ms(Histogram histogram, double percentile) {
        return histogram.getValueAtPercentile(percentile) / 1000.0;
    }

    private static void field(StringBuilder json, String name, double value) {
        json.append('"')
                .append(name)
                .append("\":")
                .append(String.format(Locale.ROOT, "%.3f", value))
                .append(',');
    }

    private static String describe(Distribution distribution) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < distribution.values().length; i++) {
            text.append(i == 0 ? "" : ",").append(distribution.values()[i]);
        }
        return text.toString();
    }
}
