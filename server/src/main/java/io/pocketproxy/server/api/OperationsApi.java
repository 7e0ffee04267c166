package io.pocketproxy.server.api;

import io.javalin.http.Context;
import io.pocketproxy.server.metrics.Metrics;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;

/** {@code /healthz} and {@code /metrics}: for load balancers and Prometheus. */
public final class OperationsApi {

    private final Jdbi jdbi;
    private final Metrics metrics;

    public OperationsApi(Jdbi jdbi, Metrics metrics) {
        this.jdbi = jdbi;
        this.metrics = metrics;
    }

    /** 200 when the database answers, 503 otherwise: a server without its database can serve nothing. */
    public void health(Context ctx) {
        try {
            jdbi.useHandle(handle ->
                    handle.createQuery("SELECT 1").mapTo(Integer.class).one());
            ctx.json(Map.of("status", "ok"));
        } catch (RuntimeException e) {
            ctx.status(503).json(Map.of("status", "unavailable", "error", "database unreachable"));
        }
    }

    public void metrics(Context ctx) {
        ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape());
    }
}
