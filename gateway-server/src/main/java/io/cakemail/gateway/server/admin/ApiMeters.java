package io.cakemail.gateway.server.admin;

import io.cakemail.gateway.core.http.ApiError;
import io.cakemail.gateway.core.http.ApiMetricsRecorder;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The API client's exchanges as Micrometer meters: the timer {@code smtp.api.latency} (every exchange, whatever its
 * end), {@code smtp.api.errors} tagged {@code error_type} ({@link ApiError#label}), and the gauge
 * {@code smtp.api.requests.in.flight} (HTTP/2 streams and HTTP/1.1 requests open, or waiting for one), and
 * {@code smtp.api.unknown.status}: submissions answered {@code 201} with a status the gateway does not know.
 */
public final class ApiMeters implements ApiMetricsRecorder {

    private final Timer latency;
    private final Counter[] errors;
    private final LongAdder inFlight = new LongAdder();
    private final Counter unknownStatus;

    public ApiMeters(MeterRegistry registry) {
        latency = Timer.builder("smtp.api.latency")
                .description("Exchanges with the Cakemail API, from the request to the answer or the failure")
                .serviceLevelObjectives(SmtpMeters.seconds(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
                .register(registry);
        ApiError[] types = ApiError.values();
        errors = new Counter[types.length];
        for (ApiError type : types) {
            errors[type.ordinal()] = Counter.builder("smtp.api.errors")
                    .tag("error_type", type.label())
                    .description("Exchanges with the Cakemail API that failed or were answered with an error")
                    .register(registry);
        }
        unknownStatus = Counter.builder("smtp.api.unknown.status")
                .description("Submissions answered 201 with a data.status the gateway does not know, taken as accepted")
                .register(registry);
        Gauge.builder("smtp.api.requests.in.flight", inFlight, LongAdder::sum)
                .description("Requests to the Cakemail API started and not yet answered")
                .register(registry);
    }

    @Override
    public void started() {
        inFlight.increment();
    }

    @Override
    public void responded(long nanos, int status) {
        ended(nanos);
        ApiError error = ApiError.of(status);
        if (error != null) {
            errors[error.ordinal()].increment();
        }
    }

    @Override
    public void failed(long nanos, ApiError error) {
        ended(nanos);
        errors[error.ordinal()].increment();
    }

    @Override
    public void unknownSubmissionStatus() {
        unknownStatus.increment();
    }

    private void ended(long nanos) {
        inFlight.decrement();
        latency.record(nanos, TimeUnit.NANOSECONDS);
    }
}
