package io.cakemail.gateway.server;

import io.netty.buffer.PooledByteBufAllocator;
import java.util.concurrent.CountDownLatch;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * {@code java -jar smtp-gateway.jar}: reads the environment, starts the listeners, drains on SIGTERM.
 */
public final class GatewayMain {

    private static final Logger log = LogManager.getLogger(GatewayMain.class);

    private GatewayMain() {
    }

    public static void main(String[] args) throws Exception {
        GatewayConfig config;
        try {
            config = GatewayConfig.fromEnvironment(System.getenv());
        } catch (GatewayConfig.ConfigurationException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        log.info("Starting the Cakemail SMTP gateway: {}", config.smtp());
        InterimCakemailStub stub = new InterimCakemailStub(config.transform(), PooledByteBufAllocator.DEFAULT);
        log.warn("The Cakemail API client is not part of this build: AUTH accepts any credentials, messages are"
                 + " transformed and then refused with 451 4.3.0 (or 5xx when the API could not carry them).");
        GatewayServer server = GatewayServer.start(config, stub, stub);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            LogManager.shutdown();
            stopped.countDown();
        }, "gateway-shutdown"));
        stopped.await();
    }
}
