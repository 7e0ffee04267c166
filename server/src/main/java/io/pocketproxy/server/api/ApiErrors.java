package io.pocketproxy.server.api;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.pocketproxy.link.AggregatedWarning;
import io.pocketproxy.relay.auth.PasswordHashing;
import io.pocketproxy.relay.auth.RetryAfter;
import io.pocketproxy.server.db.DatabaseUnavailable;
import io.pocketproxy.server.errors.BusyException;
import io.pocketproxy.server.errors.ConflictException;
import io.pocketproxy.server.errors.DomainException;
import io.pocketproxy.server.errors.InvalidInputException;
import io.pocketproxy.server.errors.NotFoundException;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns every failure into the API's error shape: the services' domain refusals and the API's own
 * {@link ApiException}s with their statuses, framework errors in our shape. Only unexpected failures are
 * logged, with an incident id.
 */
final class ApiErrors {

    private static final Logger log = LoggerFactory.getLogger(ApiErrors.class);
    private static final long DATABASE_RETRY_AFTER_SECONDS = 5;
    private static final AggregatedWarning unavailable = new AggregatedWarning(
            log,
            "the database is unavailable; answering API requests 503 database_unavailable",
            Duration.ofSeconds(10));

    private ApiErrors() {}

    static void register(RoutesConfig routes) {
        routes.exception(ApiException.class, (e, ctx) -> answer(ctx, e.status(), e.code(), e.getMessage()));
        routes.exception(DomainException.class, ApiErrors::refused);
        routes.exception(HttpResponseException.class, ApiErrors::answerFramework);
        routes.exception(CompletionException.class, (e, ctx) -> unwrap(e.getCause(), ctx));
        routes.exception(PasswordHashing.Busy.class, (e, ctx) -> refused(passwordChecksBusy(e), ctx));
        routes.exception(RejectedExecutionException.class, (e, ctx) -> stopping(ctx));
        routes.exception(Exception.class, (e, ctx) -> unexpected(e, ctx));
    }

    private static void unwrap(Throwable cause, Context ctx) {
        if (cause instanceof ApiException api) {
            answer(ctx, api.status(), api.code(), api.getMessage());
        } else if (cause instanceof DomainException domain) {
            refused(domain, ctx);
        } else if (cause instanceof PasswordHashing.Busy busy) {
            refused(passwordChecksBusy(busy), ctx);
        } else if (cause instanceof RejectedExecutionException) {
            stopping(ctx);
        } else {
            unexpected(cause, ctx);
        }
    }

    private static void refused(DomainException e, Context ctx) {
        if (e instanceof BusyException busy) {
            ctx.header("Retry-After", Long.toString(RetryAfter.seconds(busy.retryAfter())));
        }
        answer(ctx, statusOf(e), e.code(), e.getMessage());
    }

    /** The one place where the services' refusals become HTTP statuses. */
    static int statusOf(DomainException e) {
        return switch (e) {
            case NotFoundException notFound -> 404;
            case ConflictException conflict -> 409;
            case InvalidInputException invalid -> invalid.malformed() ? 400 : 422;
            case BusyException busy -> 429;
        };
    }

    private static void answerFramework(HttpResponseException e, Context ctx) {
        switch (e.getStatus()) {
            case 404 ->
                answer(
                        ctx,
                        404,
                        "not_found",
                        "no such endpoint: " + ctx.method().name() + " " + ctx.path());
            case 405 ->
                answer(ctx, 405, "method_not_allowed", ctx.method().name() + " is not allowed on " + ctx.path());
            case 413 ->
                answer(
                        ctx,
                        413,
                        "body_too_large",
                        "request body too large (expected: at most " + ApiServer.MAX_REQUEST_BYTES / 1024 + " KiB)");
            default -> answer(ctx, e.getStatus(), "http_" + e.getStatus(), e.getMessage());
        }
    }

    /** The password-check queue is full: nothing was done, and the client may come back after the wait. */
    private static BusyException passwordChecksBusy(PasswordHashing.Busy busy) {
        return new BusyException(
                "busy",
                "the server is busy checking passwords; try again in " + RetryAfter.seconds(busy.retryAfter()) + " s",
                busy.retryAfter());
    }

    /** A pool refused work because the server is shutting down. */
    private static void stopping(Context ctx) {
        ctx.header("Retry-After", "1");
        answer(ctx, 503, "unavailable", "the server is stopping; try again in a moment");
    }

    /** PostgreSQL is down, hung or restarting: nothing was done, and the request may be made again later. */
    private static void databaseUnavailable(Context ctx) {
        ctx.header("Retry-After", Long.toString(DATABASE_RETRY_AFTER_SECONDS));
        answer(
                ctx,
                503,
                "database_unavailable",
                "the database is unavailable; nothing was changed, try again in a moment");
    }

    private static void unexpected(Throwable e, Context ctx) {
        if (DatabaseUnavailable.is(e)) {
            unavailable.warn(e);
            databaseUnavailable(ctx);
            return;
        }
        String incident = UUID.randomUUID().toString().substring(0, 8);
        log.error("incident {}: {} {} failed", incident, ctx.method().name(), loggable(ctx.path()), e);
        answer(ctx, 500, "internal_error", "internal error (incident " + incident + "); the server log has details");
    }

    /** A request path as a log may keep it: a rotation link's path is its secret, and is left out. */
    static String loggable(String path) {
        return path.startsWith(ROTATION_LINKS) ? ROTATION_LINKS + "…" : path;
    }

    private static final String ROTATION_LINKS = "/rotate/";

    static void answer(Context ctx, int status, String code, String message) {
        ctx.status(status).json(new ErrorBody(message, code));
    }
}
