package io.pocketproxy.server.api;

import io.javalin.http.Context;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * How a request reached the dashboard, and so the dashboard's own origin. Behind a TLS-terminating proxy the server sees plain HTTP; the proxy's
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

    /**
     * The dashboard's own origin as a browser on it writes {@code Origin}: the scheme it used, and the host and port
     * of its {@code Host} header (which a proxy in front must pass on), or {@code null} when that header is not a
     * host.
     */
    String origin(Context ctx) {
        String host = ctx.header("Host");
        return host == null || host.isBlank() ? null : normalized(scheme(ctx) + "://" + host);
    }

    /**
     * {@code scheme://host[:port]} in one spelling, so that equal origins compare equal: lower case, and no port when
     * it is the scheme's default. {@code null} for anything that is not an http(s) origin, such as {@code null}, the
     * Origin of sandboxed pages and local files.
     */
    static String normalized(String origin) {
        URI uri;
        try {
            uri = new URI(origin);
        } catch (URISyntaxException e) {
            return null;
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        boolean bare = uri.getRawAuthority() != null
                && uri.getRawUserInfo() == null
                && (uri.getRawPath() == null || uri.getRawPath().isEmpty())
                && uri.getRawQuery() == null
                && uri.getRawFragment() == null;
        if (!(scheme.equals("http") || scheme.equals("https")) || !bare) {
            return null;
        }
        if (uri.getHost() == null) {
            // A name URI does not take for a host (such as one with an underscore): compared as it is written.
            return scheme + "://" + uri.getRawAuthority().toLowerCase(Locale.ROOT);
        }
        int defaultPort = scheme.equals("https") ? 443 : 80;
        boolean explicitPort = uri.getPort() != -1 && uri.getPort() != defaultPort;
        return scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT) + (explicitPort ? ":" + uri.getPort() : "");
    }
}
