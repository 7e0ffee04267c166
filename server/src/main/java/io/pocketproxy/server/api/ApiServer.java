package io.pocketproxy.server.api;

import static io.pocketproxy.server.api.Access.ADMIN;
import static io.pocketproxy.server.api.Access.ANYONE;
import static io.pocketproxy.server.api.Access.SIGNED_IN;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.config.RoutesConfig;
import io.javalin.http.staticfiles.Location;
import io.javalin.json.JavalinJackson;
import io.pocketproxy.server.metrics.HttpMetrics;
import java.util.concurrent.Executors;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The REST API and the dashboard's static files, on one port. Requests run on virtual threads: handlers block on
 * JDBC and wait for bcrypt (which runs on its own pool) without tying up platform threads.
 */
public final class ApiServer implements AutoCloseable {

    /** Every body the API accepts is small; anything larger is refused before it is read. */
    public static final long MAX_REQUEST_BYTES = 64 * 1024;

    /** Request line and headers together: Jetty's default, which it answers 431 (or 414) beyond. */
    static final int MAX_HEAD_BYTES = 8 * 1024;

    /** The route handlers, one per resource. */
    public record Handlers(
            AuthApi auth,
            UsersApi users,
            DevicesApi devices,
            ConnectionsApi connections,
            UsageApi usage,
            WebhooksApi webhooks,
            OperationsApi operations,
            RotationLinksApi rotationLinks) {}

    private final Javalin javalin;

    private ApiServer(Javalin javalin) {
        this.javalin = javalin;
    }

    public static ApiServer start(
            String host,
            int port,
            Handlers handlers,
            Authentication authentication,
            DashboardOrigin dashboard,
            HttpMetrics httpMetrics,
            ObjectMapper mapper) {
        QueuedThreadPool threads = new QueuedThreadPool(64, 4, 60_000);
        threads.setName("api");
        threads.setVirtualThreadsExecutor(Executors.newThreadPerTaskExecutor(
                Thread.ofVirtual().name("api-request-", 0).factory()));
        Javalin javalin = Javalin.create(config -> {
            config.jetty.host = host;
            config.jetty.port = port;
            config.jetty.threadPool = threads;
            config.jetty.modifyServer(server -> {
                server.setStopTimeout(5_000);
                server.setErrorHandler(new JsonErrorHandler(mapper, MAX_HEAD_BYTES));
            });
            config.http.maxRequestSize = MAX_REQUEST_BYTES;
            // The dashboard: static files from the classpath, no build step, nothing from a CDN.
            config.staticFiles.add("/dashboard", Location.CLASSPATH);
            config.startup.showJavalinBanner = false;
            config.jsonMapper(new JavalinJackson(mapper, true));
            config.routes.before(httpMetrics::start);
            config.routes.after(httpMetrics::stop);
            config.routes.after(ApiServer::securityHeaders);
            config.routes.beforeMatched("/api/*", new CrossSiteGuard(dashboard)::check);
            config.routes.beforeMatched("/api/*", JsonContentType::check);
            config.routes.beforeMatched("/api/*", authentication::check);
            declareRoutes(config.routes, handlers);
            ApiErrors.register(config.routes);
        });
        javalin.start();
        return new ApiServer(javalin);
    }

    /** Every route of the API with who may call it: the one place to read the API's surface. */
    static void declareRoutes(RoutesConfig routes, Handlers h) {
        routes.get("/healthz", h.operations()::health);
        routes.get("/readyz", h.operations()::ready);
        routes.get("/metrics", h.operations()::metrics);

        routes.post("/api/auth/login", h.auth()::login, ANYONE);
        routes.post("/api/auth/logout", h.auth()::logout, ANYONE);
        routes.get("/api/me", h.auth()::me, SIGNED_IN);

        routes.post("/api/users", h.users()::create, ADMIN);

        routes.get("/api/devices", h.devices()::list, SIGNED_IN);
        routes.post("/api/devices", h.devices()::create, SIGNED_IN);
        routes.get("/api/devices/{id}", h.devices()::get, SIGNED_IN);
        routes.delete("/api/devices/{id}", h.devices()::delete, SIGNED_IN);
        routes.get("/api/devices/{id}/status-log", h.devices()::statusLog, SIGNED_IN);
        routes.patch("/api/devices/{id}", h.devices()::update, SIGNED_IN);
        routes.post("/api/devices/{id}/rotate-ip", h.devices()::rotateIp, SIGNED_IN);
        routes.get("/api/devices/{id}/rotations", h.devices()::rotations, SIGNED_IN);
        routes.get("/api/devices/{id}/usage", h.usage()::device, SIGNED_IN);

        routes.get("/api/usage", h.usage()::fleet, SIGNED_IN);

        routes.get("/api/connections", h.connections()::list, SIGNED_IN);
        routes.post("/api/connections", h.connections()::create, SIGNED_IN);
        routes.get("/api/connections/{id}", h.connections()::get, SIGNED_IN);
        routes.patch("/api/connections/{id}", h.connections()::update, SIGNED_IN);
        routes.delete("/api/connections/{id}", h.connections()::delete, SIGNED_IN);
        routes.post("/api/connections/{id}/regenerate-password", h.connections()::regeneratePassword, SIGNED_IN);
        routes.post("/api/connections/{id}/reset-bandwidth", h.connections()::resetBandwidth, SIGNED_IN);
        routes.get("/api/connections/{id}/ovpn", h.connections()::openVpnProfile, SIGNED_IN);
        routes.get("/api/connections/{id}/usage", h.usage()::connection, SIGNED_IN);
        routes.post("/api/connections/{id}/rotation-link", h.rotationLinks()::issue, SIGNED_IN);
        // A customer's rotation link: the secret in the path is the credential.
        routes.get("/rotate/{secret}", h.rotationLinks()::rotate, ANYONE);
        routes.post("/rotate/{secret}", h.rotationLinks()::rotate, ANYONE);

        routes.get("/api/settings/webhook", h.webhooks()::get, SIGNED_IN);
        routes.put("/api/settings/webhook", h.webhooks()::put, SIGNED_IN);
        routes.post("/api/settings/webhook/rotate-secret", h.webhooks()::rotateSecret, SIGNED_IN);
        routes.post("/api/settings/webhook/test", h.webhooks()::test, SIGNED_IN);
        routes.get("/api/webhook-deliveries", h.webhooks()::deliveries, SIGNED_IN);
    }

    private static void securityHeaders(io.javalin.http.Context ctx) {
        // Answers carry passwords and tokens shown once: no cache may keep them.
        if (ctx.path().startsWith("/api/")) {
            ctx.header("Cache-Control", "no-store");
        }
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("Referrer-Policy", "no-referrer");
        if (!ctx.path().startsWith("/api/")) {
            // The dashboard loads only its own files and talks only to its own API.
            ctx.header(
                    "Content-Security-Policy",
                    "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
        }
    }

    /** The port actually bound (the configured one, or the system's choice for 0). */
    public int port() {
        return javalin.port();
    }

    @Override
    public void close() {
        javalin.stop();
    }
}
