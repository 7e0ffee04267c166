package io.pocketproxy.server.api;

import io.javalin.http.Context;
import java.util.Locale;

/**
 * How a request reached the dashboard. Behind a TLS-terminating proxy the server sees plain HTTP; the proxy's
 * {@code X-Forwarded-Proto} says what the browser used, and is believed only when the server was told to
 * ({@code --trust-forwarded-proto}): a client that reaches the API directly could send the header itself.
 */
public final class DashboardOrigin {

    private final boolean trustForwardedProto;

    public DashboardOrigin(boolean trustForwardedProto) {
        this.trustForwardedProto = trustForwardedProto;
    }

    /** {@code https} or {@code http}: what the browser used. */
    String scheme(Context ctx) {
        if (trustForwardedProto) {
            String forwarded = ctx.header("X-Forwarded-Proto");
            if (forwarded != null) {
                // Proxies in a chain may each add a value; the first is what the client used.
                String first = forwarded.split(",", 2)[0].strip().toLowerCase(Locale.ROOT);
                if (first.equals("https") || first.equals("http")) {
                    return first;
                }
            }
        }
        return ctx.scheme().toLowerCase(Locale.ROOT);
    }

    boolean https(Context ctx) {
        return scheme(ctx).equals("https");
    }
}
