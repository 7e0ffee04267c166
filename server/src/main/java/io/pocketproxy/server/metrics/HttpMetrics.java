package io.pocketproxy.server.metrics;

import io.javalin.http.Context;
import io.javalin.router.Endpoint;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * Times every API request as {@code http_server_requests_seconds}, tagged by method, route template
 * (not the raw path: ids would make a series per row) and status.
 */
public final class HttpMetrics {

    private static final String START = "pocketproxy.request.start";

    private final MeterRegistry registry;

    public HttpMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public void start(Context ctx) {
        ctx.attribute(START, System.nanoTime());
    }

    public void stop(Context ctx) {
        Long start = ctx.attribute(START);
        if (start == null) {
            return;
        }
        Endpoint endpoint = ctx.endpoints().lastHttpEndpoint();
        String route = endpoint != null ? endpoint.path : "unmatched";
        Timer.builder("http.server.requests")
                .tag("method", ctx.method().name())
                .tag("route", route)
                .tag("status", Integer.toString(ctx.statusCode()))
                .register(registry)
                .record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
    }
}
