package io.cakemail.gateway.server.tls;

import io.cakemail.gateway.server.config.GatewayConfig;
import io.cakemail.gateway.server.config.ServerSettings;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.handler.ssl.SslContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The server's TLS context, kept current with its PEM files: every {@code GATEWAY_TLS_RELOAD_INTERVAL} a thread of
 * its own reads {@code GATEWAY_TLS_CERT} and {@code GATEWAY_TLS_KEY} and compares a hash of their content, which
 * sees cert-manager's swap of a Secret's {@code ..data} symlink where a file watch would not. A changed pair is
 * checked ({@link ServerTls#fromPem}) and serves every handshake from then on, STARTTLS and implicit; open sessions
 * keep the context they shook hands with. A pair that fails the check is logged and counted once, and the previous
 * context stays. Files that do not exist yet at start (a certificate not issued yet) are awaited: a self-signed
 * certificate serves until they appear, and {@link #waiting} says so, which keeps the gateway not ready. The meters:
 * {@code smtp.tls.certificate.expiry} (seconds left to the certificate served), {@code smtp.tls.certificate.waiting}
 * (1 while the files are awaited) and {@code smtp.tls.reloads} tagged {@code outcome} (success, failure).
 */
public final class ReloadingTls implements AutoCloseable {

    private static final Logger log = LogManager.getLogger(ReloadingTls.class);

    private final Path certPath;
    private final Path keyPath;
    private final ScheduledExecutorService poller;
    private final Counter reloaded;
    private final Counter refused;
    private volatile ServerTls.Material current;
    /** The hash of the files' content last seen, served or refused: only a new change is tried (and logged). */
    private byte[] seen;

    private ReloadingTls(GatewayConfig config, MeterRegistry registry) throws SSLException {
        certPath = config.tlsCert();
        keyPath = config.tlsKey();
        current = ServerTls.load(config);
        boolean reloads = certPath != null && config.tlsReloadInterval().compareTo(Duration.ZERO) > 0;
        seen = current.pemDigest(); // of the very contents served: a change made since is seen at the first poll
        Gauge.builder("smtp.tls.certificate.expiry", this, ReloadingTls::secondsLeft)
                .baseUnit("seconds")
                .description("Time left until the certificate served stops being valid")
                .register(registry);
        Gauge.builder("smtp.tls.certificate.waiting", this, tls -> tls.waiting() ? 1 : 0)
                .description("1 while the configured certificate files do not exist yet (not ready), else 0")
                .register(registry);
        reloaded = reloads(registry, "success");
        refused = reloads(registry, "failure");
        if (reloads) {
            // A plain thread: it reads files, which is blocking I/O, and Netty's threads are meant never to block.
            poller = Executors.newSingleThreadScheduledExecutor(task -> {
                Thread thread = new Thread(task, "tls-reload");
                thread.setDaemon(true);
                return thread;
            });
            long every = config.tlsReloadInterval().toMillis();
            poller.scheduleWithFixedDelay(this::reloadIfChanged, every, every, TimeUnit.MILLISECONDS);
        } else {
            poller = null;
        }
    }

    /** Loads the configured context and, when its files can change, starts polling them. */
    public static ReloadingTls start(GatewayConfig config, MeterRegistry registry) throws SSLException {
        return new ReloadingTls(config, registry);
    }

    private static Counter reloads(MeterRegistry registry, String outcome) {
        return Counter.builder("smtp.tls.reloads")
                .tag("outcome", outcome)
                .description("Renewed certificate and key pairs found in the files, served or refused")
                .register(registry);
    }

    /** The context for a new handshake. */
    public SslContext context() {
        return current.context();
    }

    /** Whether the configured files are still awaited, a self-signed certificate serving meanwhile. */
    public boolean waiting() {
        return certPath != null && current.pemDigest() == null; // files configured, a generated certificate served
    }

    /** When the certificate served stops being valid. */
    public Instant notAfter() {
        return current.certificate().getNotAfter().toInstant();
    }

    private double secondsLeft() {
        return Duration.between(Instant.now(), notAfter()).toSeconds();
    }

    private void reloadIfChanged() {
        boolean waiting = waiting();
        if (waiting && Files.notExists(certPath) && Files.notExists(keyPath)) {
            return; // still to come: nothing to say until they are there
        }
        try {
            byte[] certPem = ServerTls.read(certPath, ServerSettings.TLS_CERT);
            byte[] keyPem = ServerTls.read(keyPath, ServerSettings.TLS_KEY);
            byte[] digest = ServerTls.pemDigest(certPem, keyPem);
            if (Arrays.equals(digest, seen)) {
                return;
            }
            seen = digest;
            current = ServerTls.fromPem(certPath, certPem, keyPath, keyPem);
            reloaded.increment();
            log.info("TLS certificate reloaded from {}: {}", certPath, ServerTls.describe(current.certificate()));
            if (waiting) {
                log.info("The awaited certificate is served: ready");
            }
        } catch (IllegalArgumentException | SSLException e) {
            refused.increment();
            log.warn(
                    "TLS certificate files changed but cannot be served; keeping the previous one: {}", e.getMessage());
        } catch (RuntimeException | Error e) { // whatever it is, the next poll must still run
            refused.increment();
            log.error("TLS certificate reload failed; keeping the previous one", e);
        }
    }

    @Override
    public void close() {
        if (poller != null) {
            poller.shutdownNow();
        }
    }
}
