package io.cakemail.gateway.server.admin;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cakemail.gateway.core.api.CakemailClient;
import io.cakemail.gateway.server.listen.GatewayServer;

/**
 * What the health endpoints report: whether the gateway takes traffic (its listeners are bound and it is not
 * draining), and the details behind it. Thread-safe.
 */
public final class GatewayHealth {

    private final CakemailClient client;
    private volatile GatewayServer server;
    private volatile boolean draining;
    private volatile long drainStart;

    public GatewayHealth(CakemailClient client) {
        this.client = client;
    }

    /** The listeners are bound: ready from now on, until a drain starts. */
    public void listening(GatewayServer server) {
        this.server = server;
    }

    /** A drain started: not ready any more. */
    public void draining() {
        drainStart = System.nanoTime();
        draining = true;
    }

    /** Seconds since the drain started, 0 before: a pod that drains longer than its drain timeout is stuck. */
    public double drainingSeconds() {
        return draining ? (System.nanoTime() - drainStart) / 1e9 : 0;
    }

    boolean ready() {
        GatewayServer listening = server;
        return listening != null && !draining && !listening.waitingForCertificate();
    }

    /** UP, DRAINING, WAITING_FOR_CERTIFICATE or STARTING. */
    String status() {
        GatewayServer listening = server;
        if (ready()) {
            return "UP";
        }
        if (draining) {
            return "DRAINING";
        }
        return listening != null && listening.waitingForCertificate() ? "WAITING_FOR_CERTIFICATE" : "STARTING";
    }

    /** The {@code /health} document: status, listeners, open sessions, certificate expiry, the API circuit breaker. */
    ObjectNode details() {
        ObjectNode details = JsonNodeFactory.instance.objectNode();
        GatewayServer listening = server;
        details.put("status", status());
        details.put("draining", draining);
        if (listening != null) {
            details.putObject("listeners").put("smtp", listening.smtpPort()).put("smtps", listening.smtpsPort());
            details.put("smtp_sessions", listening.connections());
            details.put(
                    "tls_certificate_not_after", listening.certificateNotAfter().toString());
        }
        details.putObject("api").put("circuit_breaker", client.circuitState().name());
        return details;
    }
}
