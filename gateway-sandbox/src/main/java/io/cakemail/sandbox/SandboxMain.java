package io.cakemail.sandbox;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * Runs the sandbox alone: {@code java -cp smtp-gateway.jar io.cakemail.sandbox.SandboxMain [port] [config.json]}
 * (port 8025 by default, the default accounts unless a JSON configuration is given). Prints
 * {@code sandbox listening on <url>} once it accepts connections, and stops on SIGTERM.
 */
public final class SandboxMain {

    private SandboxMain() {}

    public static void main(String[] args) throws Exception {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 8025;
        SandboxConfig config = args.length > 1 ? SandboxConfig.read(Path.of(args[1])) : SandboxConfig.defaults();
        CakemailSandbox sandbox = CakemailSandbox.start(config, "127.0.0.1", port);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            sandbox.close();
                            stopped.countDown();
                        },
                        "sandbox-shutdown"));
        System.out.println("sandbox listening on " + sandbox.baseUri());
        stopped.await();
    }
}
