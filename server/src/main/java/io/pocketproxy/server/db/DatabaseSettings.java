package io.pocketproxy.server.db;

/** Where the database is and how to log in; {@link #toString()} never shows the password. */
public record DatabaseSettings(String jdbcUrl, String user, String password) {

    @Override
    public String toString() {
        return "DatabaseSettings[" + DatabaseUrls.masked(jdbcUrl) + ", user=" + user + ", password="
                + (password == null ? null : "****") + "]";
    }
}
