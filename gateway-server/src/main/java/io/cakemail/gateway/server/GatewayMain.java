package io.cakemail.gateway.server;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.CountDownLatch;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * {@code java -jar smtp-gateway.jar}: reads the environment, starts the gateway, drains it on SIGTERM.
 */
public final class GatewayMain {

    private static final Logger log = LogManager.getLogger(GatewayMain.class);

    private GatewayMain() {
    }

    public static void main(String[] args) throws Exception {
        NettyDefaults.apply();
        GatewayConfig config;
        try {
            config = GatewayConfig.fromEnvironment(System.getenv());
        } catch (GatewayConfig.ConfigurationException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        log.info("Starting the Cakemail SMTP gateway: {}", config.smtp());
        Gateway gateway = Gateway.start(config, new SimpleMeterRegistry());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            gateway.close();
            LogManager.shutdown();
            stopped.countDown();
        }, "gateway-shutdown"));
        stopped.await();
    }
}
