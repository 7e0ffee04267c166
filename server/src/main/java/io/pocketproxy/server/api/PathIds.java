package io.pocketproxy.server.api;

import io.javalin.http.Context;
import io.pocketproxy.server.errors.NotFoundException;
import java.util.UUID;

/** Path ids. A malformed id names no row, so it answers 404 like any id the caller does not own. */
public final class PathIds {

    private PathIds() {}

    public static UUID uuid(Context ctx, String parameter, String what) {
        try {
            return UUID.fromString(ctx.pathParam(parameter));
        } catch (IllegalArgumentException e) {
            throw new NotFoundException(what);
        }
    }
}
