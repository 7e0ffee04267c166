package io.pocketproxy.server.api;

import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.util.Set;

/**
 * Refuses a state change that a page on another origin made a browser send. {@code SameSite=Strict} is not enough:
 * a page on a sibling port or subdomain is the same site, so the browser sends the session cookie along; and a
 * sign-in needs no cookie at all (one made from another site signs the victim into the attacker's account).
 * Browsers say where a request comes from, in {@code Origin} and {@code Sec-Fetch-Site}; scripts and curl send
 * neither and pass, since no page can make them carry a victim's cookie.
 */
final class CrossSiteGuard {

    private static final Set<HandlerType> READS = Set.of(HandlerType.GET, HandlerType.HEAD, HandlerType.OPTIONS);

    private final DashboardOrigin dashboard;

    CrossSiteGuard(DashboardOrigin dashboard) {
        this.dashboard = dashboard;
    }

    void check(Context ctx) {
        if (READS.contains(ctx.method()) || !browserCredentialsOrNone(ctx)) {
            return;
        }
        String site = ctx.header("Sec-Fetch-Site");
        if (site != null && (site.equalsIgnoreCase("cross-site") || site.equalsIgnoreCase("same-site"))) {
            throw refused("the browser says it comes from another site (Sec-Fetch-Site: " + site + ")");
        }
        String origin = ctx.header("Origin");
        if (origin != null) {
            String own = dashboard.origin(ctx);
            if (own == null || !own.equals(DashboardOrigin.normalized(origin))) {
                throw refused("its Origin " + origin + " is not the dashboard's own (" + own + ")");
            }
        }
    }

    /**
     * The requests a page could make a browser send on its user's behalf: those with the session cookie, and those
     * with no credentials at all, such as the sign-in. A bearer token alone never rides along by itself.
     */
    private static boolean browserCredentialsOrNone(Context ctx) {
        return ctx.cookie(Authentication.SESSION_COOKIE) != null || ctx.header("Authorization") == null;
    }

    private static ApiException refused(String why) {
        return new ApiException(
                403,
                "cross_site_request",
                "cross-site request refused: " + why
                        + " (expected: a request from the dashboard's own page, or from a script without a browser's"
                        + " Origin and Sec-Fetch-Site headers)");
    }
}
