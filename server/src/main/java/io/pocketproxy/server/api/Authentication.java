package io.pocketproxy.server.api;

import io.javalin.http.Context;
import io.javalin.security.RouteRole;
import io.pocketproxy.server.sessions.SessionService;
import io.pocketproxy.server.users.User;
import java.util.Set;

/**
 * Checks every {@code /api} call against the {@link Access} its route declares, before the handler runs.
 * A route that declares nothing needs a signed-in user: forgetting to declare must not open a route.
 */
public final class Authentication {

    public static final String SESSION_COOKIE = "pocketproxy_session";

    private static final String USER_ATTRIBUTE = "pocketproxy.user";
    private static final String BEARER = "Bearer ";

    private final SessionService sessions;

    public Authentication(SessionService sessions) {
        this.sessions = sessions;
    }

    public void check(Context ctx) {
        Set<RouteRole> roles = ctx.routeRoles();
        if (roles.contains(Access.ANYONE)) {
            return;
        }
        String token = tokenOf(ctx);
        if (token == null) {
            throw ApiException.unauthenticated(
                    "sign in first (POST /api/auth/login), then send the session cookie or Authorization: Bearer <token>");
        }
        User user = sessions.resolve(token)
                .orElseThrow(() -> ApiException.unauthenticated("session expired or signed out; sign in again"));
        if (roles.contains(Access.ADMIN) && !user.isAdmin()) {
            throw ApiException.forbidden("only admins may do this");
        }
        ctx.attribute(USER_ATTRIBUTE, user);
    }

    /** The signed-in user of a request that passed {@link #check}. */
    public static User currentUser(Context ctx) {
        User user = ctx.attribute(USER_ATTRIBUTE);
        if (user == null) {
            throw new IllegalStateException("no signed-in user on " + ctx.path() + "; is the route declared ANYONE?");
        }
        return user;
    }

    /** The session token of a request: the Authorization header wins over the cookie. */
    public static String tokenOf(Context ctx) {
        String authorization = ctx.header("Authorization");
        if (authorization != null && authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            String token = authorization.substring(BEARER.length()).strip();
            return token.isEmpty() ? null : token;
        }
        return ctx.cookie(SESSION_COOKIE);
    }
}
