package io.cakemail.gateway.benchmarks;

import io.cakemail.gateway.core.api.ApiConfig;
import io.cakemail.gateway.core.api.ApiPrincipal;
import io.cakemail.gateway.core.api.CakemailClient;
import io.cakemail.gateway.core.api.Delivery;
import io.cakemail.gateway.core.transform.MessageTransformer;
import io.cakemail.gateway.core.transform.ParsedMessage;
import io.cakemail.gateway.core.transform.TransformConfig;
import io.cakemail.gateway.core.transform.TransformResult;
import io.cakemail.sandbox.SandboxConfig;
import io.cakemail.sandbox.SandboxMain;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The submission path in process: a transformed 2 KiB message handed to the API client, which writes its JSON once
 * and fans it out to 1, 10 or 100 recipients over h2c to the sandbox, run as a separate process on loopback so that
 * its work does not count in this JVM's allocation. The {@code requests} counter is API requests per second; divide
 * {@code gc.alloc.rate.norm} by the recipients for the allocation per recipient.
 */
@State(Scope.Benchmark)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
public class SubmissionBenchmark extends GatewayBenchmark {

    private static final int WARMUP_MESSAGES = 300;

    @Param({"1", "10", "100"})
    public int recipients;

    private Process sandbox;
    private CakemailClient client;
    private ApiPrincipal principal;
    private ParsedMessage message;
    private List<String> addresses;

    /** API requests, reported as a rate. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Requests {
        public long requests;
    }

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        sandbox = new ProcessBuilder(
                        ProcessHandle.current().info().command().orElse("java"),
                        "-cp",
                        System.getProperty("java.class.path"),
                        SandboxMain.class.getName(),
                        String.valueOf(port))
                .redirectErrorStream(true)
                .start();
        BufferedReader output =
                new BufferedReader(new InputStreamReader(sandbox.getInputStream(), StandardCharsets.UTF_8));
        for (String line; (line = output.readLine()) != null && !line.startsWith("sandbox listening"); ) {
            // wait until it accepts connections
        }
        client = new CakemailClient(ApiConfig.builder(URI.create("http://127.0.0.1:" + port))
                .h2c(true)
                .acceptedMemory(Duration.ofNanos(1))
                .acceptedMemorySize(1)
                .build());
        principal = client.login("benchmark", SandboxConfig.DEFAULT_USERNAME, SandboxConfig.DEFAULT_PASSWORD)
                .block(Duration.ofSeconds(10));
        message = transform(MimeMessages.plain());
        addresses = new ArrayList<>();
        for (int i = 0; i < recipients; i++) {
            addresses.add("recipient" + i + "@example.net");
        }
        List<String> hundred = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            hundred.add("warmup" + i + "@example.net");
        }
        for (int i = 0; i < WARMUP_MESSAGES; i++) { // the sandbox is a fresh JVM: let its JIT finish first
            client.deliver(principal, null, hundred, sendable()).block(Duration.ofSeconds(60));
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws InterruptedException {
        message.release();
        client.close();
        sandbox.destroy();
        sandbox.waitFor(10, TimeUnit.SECONDS);
    }

    @Benchmark
    public Delivery submit(Requests counter) {
        Delivery delivery =
                client.deliver(principal, null, addresses, sendable()).block(Duration.ofSeconds(60));
        if (!(delivery instanceof Delivery.Submitted)) {
            throw new IllegalStateException(String.valueOf(delivery));
        }
        counter.requests += recipients;
        return delivery;
    }

    /** The message once more: its bodies retained, since {@code deliver} releases what it is given. */
    private ParsedMessage sendable() {
        return new ParsedMessage(
                message.subject(),
                retained(message.textJson()),
                retained(message.htmlJson()),
                message.attachments(),
                message.additionalHeaders(),
                message.tags(),
                message.tracking(),
                message.listId(),
                message.accountId(),
                message.emailType(),
                message.senderId(),
                message.from(),
                message.messageId(),
                message.headers(),
                message.doNotDeliver(),
                message.metadata(),
                message.memory().retain());
    }

    private static ByteBuf retained(ByteBuf body) {
        return body == null ? null : body.retainedDuplicate();
    }

    /** A message without attachments, so {@link #sendable()} need not retain any. */
    private static ParsedMessage transform(byte[] bytes) {
        try (MessageTransformer transformer =
                new MessageTransformer(TransformConfig.DEFAULT, PooledByteBufAllocator.DEFAULT)) {
            ByteBuf chunk = PooledByteBufAllocator.DEFAULT.buffer(bytes.length).writeBytes(bytes);
            transformer.feed(chunk);
            chunk.release();
            return ((TransformResult.Transformed) transformer.finish()).message();
        }
    }
}
