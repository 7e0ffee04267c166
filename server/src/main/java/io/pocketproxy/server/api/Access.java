package io.pocketproxy.server.api;

import io.javalin.security.RouteRole;

/** Who may call a route. Declared next to each route in {@link ApiServer#declareRoutes}. */
public enum Access implements RouteRole {
    /** No session needed. */
    ANYONE,
    /** Any signed-in user, admin or operator. */
    SIGNED_IN,
    /** Admins only. */
    ADMIN
}
