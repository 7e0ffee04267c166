package io.pocketproxy.server.db;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * Accepts a database URL in either form operators paste: JDBC ({@code jdbc:postgresql://host/db?user=…})
 * or libpq ({@code postgresql://user:password@host:5432/db}), and masks its password for logs.
 */
public final class DatabaseUrls {

    private static final Pattern JDBC_PASSWORD = Pattern.compile("(?i)(password=)[^&]*");

    private DatabaseUrls() {}

    /** The connection settings for {@code url}, in JDBC form. */
    public static DatabaseSettings parse(String url) {
        if (url.startsWith("jdbc:postgresql:")) {
            return new DatabaseSettings(url, null, null);
        }
        if (!url.startsWith("postgres://") && !url.startsWith("postgresql://")) {
            throw new IllegalArgumentException("database-url: " + masked(url)
                    + " (expected: jdbc:postgresql://HOST/DB or postgresql://USER:PASSWORD@HOST:PORT/DB)");
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("database-url: " + masked(url)
                    + " is not a valid URL (characters a URL reserves must be percent-encoded, e.g. %40 for @)");
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("database-url: " + masked(url)
                    + " has no host (an @, /, ? or # in the password must be percent-encoded, e.g. %40)");
        }
        String user = null;
        String password = null;
        if (uri.getRawUserInfo() != null) {
            String[] parts = uri.getRawUserInfo().split(":", 2);
            user = decode(parts[0]);
            password = parts.length > 1 ? decode(parts[1]) : null;
        }
        String database = uri.getPath() == null || uri.getPath().length() <= 1
                ? "postgres"
                : uri.getPath().substring(1);
        String jdbc = "jdbc:postgresql://" + uri.getHost() + (uri.getPort() > 0 ? ":" + uri.getPort() : "") + "/"
                + database + (uri.getRawQuery() != null ? "?" + uri.getRawQuery() : "");
        return new DatabaseSettings(jdbc, user, password);
    }

    /**
     * {@code url} with any password replaced by {@code ****}. The user info ends at the <em>last</em> {@code @}:
     * operators paste passwords with {@code @}, {@code /} or {@code ?} unencoded, and a mask that stopped at the
     * first one would log the rest. Masking a little too much of a URL that has an {@code @} later is the safe side.
     */
    public static String masked(String url) {
        String masked = JDBC_PASSWORD.matcher(url).replaceAll("$1****");
        int scheme = masked.indexOf("://");
        int at = masked.lastIndexOf('@');
        if (scheme >= 0 && at > scheme) {
            String userInfo = masked.substring(scheme + 3, at);
            int colon = userInfo.indexOf(':');
            if (colon >= 0) {
                masked =
                        masked.substring(0, scheme + 3) + userInfo.substring(0, colon) + ":****" + masked.substring(at);
            }
        }
        return masked;
    }

    private static String decode(String text) {
        return URLDecoder.decode(text, StandardCharsets.UTF_8);
    }
}
