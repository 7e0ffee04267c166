package io.pocketproxy.server.api;

import io.javalin.http.Context;
import io.pocketproxy.server.usage.UsageRange;
import io.pocketproxy.server.usage.UsageService;
import java.util.UUID;

/**
 * {@code GET /api/connections/{id}/usage}, {@code GET /api/devices/{id}/usage} and {@code GET /api/usage} (the
 * operator's whole fleet): usage over time, with
 * {@code from}, {@code to} (ISO-8601 instants) and {@code step} ({@code hour} or {@code day}).
 */
public final class UsageApi {

    private final UsageService usage;

    public UsageApi(UsageService usage) {
        this.usage = usage;
    }

    public void connection(Context ctx) {
        UUID id = PathIds.uuid(ctx, "id", "connection");
        ctx.json(usage.ofConnection(owner(ctx), id, range(ctx)));
    }

    public void device(Context ctx) {
        UUID id = PathIds.uuid(ctx, "id", "device");
        ctx.json(usage.ofDevice(owner(ctx), id, range(ctx)));
    }

    public void fleet(Context ctx) {
        ctx.json(usage.ofFleet(owner(ctx), range(ctx)));
    }

    private UsageRange range(Context ctx) {
        return usage.range(ctx.queryParam("from"), ctx.queryParam("to"), ctx.queryParam("step"));
    }

    private static UUID owner(Context ctx) {
        return Authentication.currentUser(ctx).id();
    }
}
