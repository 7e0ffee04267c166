package io.pocketproxy.server.api;

import io.javalin.http.Context;
import io.javalin.http.Cookie;
import io.javalin.http.SameSite;
import io.pocketproxy.relay.auth.AuthOutcome;
import io.pocketproxy.relay.auth.PasswordHashing;
import io.pocketproxy.relay.auth.RetryAfter;
import io.pocketproxy.server.sessions.Session;
import io.pocketproxy.server.sessions.SessionService;
import io.pocketproxy.server.users.User;
import io.pocketproxy.server.users.UserService;
import io.pocketproxy.server.users.UserView;
import java.time.Instant;

/** {@code /api/auth/*} and {@code /api/me}: signing in and out. */
public final class AuthApi {

    static final String SIGNED_IN_COOKIE = "pocketproxy_signed_in";

    record LoginRequest(String email, String password) {}

    record LoginResponse(String token, Instant expiresAt, UserView user) {}

    private final UserService users;
    private final SessionService sessions;
    private final RequestBodies bodies;
    private final DashboardOrigin dashboard;

    public AuthApi(UserService users, SessionService sessions, RequestBodies bodies, DashboardOrigin dashboard) {
        this.users = users;
        this.sessions = sessions;
        this.bodies = bodies;
        this.dashboard = dashboard;
    }

    public void login(Context ctx) {
        LoginRequest request = bodies.read(ctx, LoginRequest.class);
        if (request.email() == null || request.password() == null) {
            throw ApiException.badRequest("invalid_field", "email and password are both required");
        }
        User user = switch (users.signIn(request.email(), request.password(), ctx.ip())) {
            case AuthOutcome.Accepted<User> accepted -> accepted.account();
            case AuthOutcome.Rejected<User> rejected ->
                throw new ApiException(401, "invalid_credentials", "email or password is wrong");
            case AuthOutcome.Throttled<User> throttled -> {
                long seconds = RetryAfter.seconds(throttled.retryAfter());
                ctx.header("Retry-After", Long.toString(seconds));
                throw new ApiException(
                        429, "too_many_attempts", "too many failed sign-ins; try again in " + seconds + " s");
            }
            case AuthOutcome.Busy<User> busy -> throw new PasswordHashing.Busy(busy.retryAfter());
            case AuthOutcome.Unavailable<User> unavailable ->
                throw new ApiException(503, "unavailable", "sign-in cannot be checked now; try again shortly");
        };
        Session session = sessions.issue(user.id());
        ctx.cookie(sessionCookie(ctx, session.token(), (int) sessions.ttl().toSeconds()));
        ctx.cookie(signedInMarker(ctx, "1", (int) sessions.ttl().toSeconds()));
        ctx.json(new LoginResponse(session.token(), session.expiresAt(), UserView.of(user)));
    }

    public void logout(Context ctx) {
        sessions.revoke(Authentication.tokenOf(ctx));
        ctx.cookie(sessionCookie(ctx, "", 0));
        ctx.cookie(signedInMarker(ctx, "", 0));
        ctx.status(204);
    }

    public void me(Context ctx) {
        ctx.json(UserView.of(Authentication.currentUser(ctx)));
    }

    /**
     * A cookie the dashboard's script can read, holding no secret: it only tells the page that a session
     * exists, so that a signed-out page does not ask the API and get a 401 to find out.
     */
    private Cookie signedInMarker(Context ctx, String value, int maxAgeSeconds) {
        boolean secure = dashboard.https(ctx);
        return new Cookie(SIGNED_IN_COOKIE, value, "/", maxAgeSeconds, secure, false, null, SameSite.STRICT);
    }

    private Cookie sessionCookie(Context ctx, String value, int maxAgeSeconds) {
        // Secure only over HTTPS (the browser's, which a trusted proxy reports): browsers drop Secure cookies on
        // plain-http origins other than localhost.
        boolean secure = dashboard.https(ctx);
        return new Cookie(
                Authentication.SESSION_COOKIE, value, "/", maxAgeSeconds, secure, true, null, SameSite.STRICT);
    }
}
