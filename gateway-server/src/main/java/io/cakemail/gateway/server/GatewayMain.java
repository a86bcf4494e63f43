package io.cakemail.gateway.server;

import com.sun.management.UnixOperatingSystemMXBean;
import io.cakemail.gateway.common.Setting;
import io.cakemail.gateway.server.config.GatewayConfig;
import io.cakemail.gateway.server.config.ServerSettings;
import io.cakemail.gateway.server.config.StartupException;
import io.cakemail.gateway.server.listen.NettyDefaults;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * {@code java -jar smtp-gateway.jar}: reads the environment, starts the gateway, drains it on SIGTERM. It takes no
 * arguments: {@code --help} prints the settings, anything else is refused, so a mistyped flag never starts a gateway
 * against the production API. A configuration that cannot start (an invalid variable, a port in use, a key that does
 * not match its certificate) is one line on standard error naming the variable and its value, and exit code 2.
 */
public final class GatewayMain {

    /** File descriptors beyond the SMTP connections: the API's connections, the listeners, the JVM's own files. */
    static final int FILE_HEADROOM = 256;

    private GatewayMain() {}

    public static void main(String[] args) throws Exception {
        if (args.length > 0) {
            boolean help = args.length == 1 && (args[0].equals("--help") || args[0].equals("-h"));
            usage(help ? System.out : System.err, help ? null : String.join(" ", args));
            System.exit(help ? 0 : 2);
            return;
        }
        NettyDefaults.apply();
        GatewayConfig config;
        try {
            config = GatewayConfig.fromEnvironment(System.getenv()); // before logging starts, which reads some of it
        } catch (GatewayConfig.ConfigurationException e) {
            System.err.println("Cannot start the gateway: " + e.getMessage());
            System.exit(2);
            return;
        }
        Logger log = LogManager.getLogger(GatewayMain.class);
        warnIfFewFiles(config, openFilesLimit());
        log.info(
                "Starting the Cakemail SMTP gateway: {}",
                String.join(", ", GatewayConfig.effectiveSettings(System.getenv())));
        // The hook exists before the gateway can be ready: a SIGTERM right after readiness must drain too. One that
        // comes while it starts waits for the start, then drains; a start that failed leaves the exit to main.
        CompletableFuture<Gateway> started = new CompletableFuture<>();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            Gateway gateway = started.join();
                            if (gateway == null) {
                                return;
                            }
                            gateway.close();
                            LogManager.shutdown();
                            stopped.countDown();
                            // A drain that ended as planned is a clean stop: exit 0, not the 143 of SIGTERM.
                            Runtime.getRuntime().halt(0);
                        },
                        "gateway-shutdown"));
        try {
            started.complete(Gateway.start(config, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)));
        } catch (StartupException e) {
            started.complete(null);
            System.err.println("Cannot start the gateway: " + e.getMessage());
            LogManager.shutdown();
            System.exit(2);
            return;
        } catch (Exception | Error e) {
            started.complete(null);
            throw e;
        }
        stopped.await();
    }

    static void usage(PrintStream out, String refused) {
        if (refused != null) {
            out.println("Unknown arguments: " + refused + " (the gateway takes none; it reads environment variables)");
        }
        out.println("Usage: java -jar smtp-gateway.jar, configured by environment variables:");
        for (Setting<?> setting : GatewayConfig.SETTINGS) {
            out.printf("  %-32s %-26s %s%n", setting.name(), setting.defaultText(), setting.description());
        }
        out.println("Without " + ServerSettings.SANDBOX.name() + "=true or " + ServerSettings.API_URL.name()
                + " it sends to the production Cakemail API.");
    }

    /** The process's open-files limit, or -1 where the JVM cannot tell. */
    static long openFilesLimit() {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        return os instanceof UnixOperatingSystemMXBean unix ? unix.getMaxFileDescriptorCount() : -1;
    }

    /** Each connection is a file descriptor: a limit below the connections the gateway accepts fails them late. */
    static void warnIfFewFiles(GatewayConfig config, long limit) {
        long needed = (long) config.maxConnections() + FILE_HEADROOM;
        if (limit >= 0 && limit < needed) {
            LogManager.getLogger(GatewayMain.class)
                    .warn(
                            "The open-files limit is {}, below {} ({}) plus {} for the API connections, the"
                                    + " listeners and the JVM: connections past it will fail. Raise it (ulimit -n {}, or"
                                    + " LimitNOFILE in a systemd unit) or lower it.",
                            limit,
                            ServerSettings.MAX_CONNECTIONS.name(),
                            config.maxConnections(),
                            FILE_HEADROOM,
                            needed);
        }
    }
}
