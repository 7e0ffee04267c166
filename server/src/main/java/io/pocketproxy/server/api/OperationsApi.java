package io.pocketproxy.server.api;

import io.javalin.http.Context;
import io.pocketproxy.server.metrics.Metrics;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.jdbi.v3.core.Jdbi;

/**
 * {@code /healthz}, {@code /readyz} and {@code /metrics}: for load balancers and Prometheus.
 *
 * <p>The two health answers differ on purpose. {@code /healthz} is the control plane's: without its database the
 * API can serve nothing. {@code /readyz} is the data plane's: the proxies keep serving customers they know from
 * memory while the database is away, so a load balancer in front of them must not pull a working farm because
 * the database blinked.
 *
 * <p> Metrics tell how busy the server is and
 * how its sign-ins fare, which is nobody else's business: with a metrics token they answer its bearer only, and
 * without one, clients on this host only.
 */
public final class OperationsApi {

    private final Jdbi jdbi;
    private final BooleanSupplier dataPlaneReady;
    private final Metrics metrics;
    private final byte[] expectedAuthorization;

    /** @param metricsToken the bearer token {@code /metrics} requires, or {@code null} for loopback clients only */
    public OperationsApi(Jdbi jdbi, BooleanSupplier dataPlaneReady, Metrics metrics, String metricsToken) {
        this.jdbi = jdbi;
        this.dataPlaneReady = dataPlaneReady;
        this.metrics = metrics;
        this.expectedAuthorization =
                metricsToken == null ? null : ("Bearer " + metricsToken).getBytes(StandardCharsets.UTF_8);
    }

    /** 200 when the database answers, 503 otherwise: a server without its database can serve nothing. */
    public void health(Context ctx) {
        try {
            jdbi.useHandle(handle ->
                    handle.createQuery("SELECT 1").mapTo(Integer.class).one());
            ctx.json(Map.of("status", "ok"));
        } catch (RuntimeException e) {
            ctx.status(503)
                    .json(Map.of(
                            "status", "unavailable",
                            "code", "database_unavailable",
                            "error", "the database does not answer"));
        }
    }

    /** 200 while the relay serves customers, whether or not the database answers; 503 once it is stopping. */
    public void ready(Context ctx) {
        if (dataPlaneReady.getAsBoolean()) {
            ctx.json(Map.of("status", "ready"));
        } else {
            ctx.status(503).json(Map.of("status", "stopping", "error", "the relay is stopping"));
        }
    }

    public void metrics(Context ctx) {
        requireScraper(ctx);
        ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape());
    }

    private void requireScraper(Context ctx) {
        if (expectedAuthorization != null) {
            String given = ctx.header("Authorization");
            // Compared in constant time: the token is a password.
            if (given == null
                    || !MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), expectedAuthorization)) {
                ctx.header("WWW-Authenticate", "Bearer realm=\"metrics\"");
                throw ApiException.unauthenticated(
                        "metrics need the metrics token (expected: Authorization: Bearer <the server's --metrics-token>)");
            }
            return;
        }
        if (!isLoopback(ctx.req().getRemoteAddr())) {
            throw ApiException.forbidden("metrics are answered to clients on this host only"
                    + " (expected: a request over loopback, or a server started with --metrics-token)");
        }
    }

    private static boolean isLoopback(String address) {
        try {
            // A literal address, never looked up; an IPv4-mapped ::ffff:127.0.0.1 comes back as 127.0.0.1.
            return InetAddress.getByName(address).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
