package io.pocketproxy.server.db;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;

/** Reading columns whose SQL NULL means "never" or "unknown". */
public final class Rows {

    private Rows() {}

    /** The {@code timestamptz} column as an instant, or {@code null} where it is NULL. */
    public static Instant instant(ResultSet rows, String column) throws SQLException {
        Timestamp timestamp = rows.getTimestamp(column);
        return timestamp == null ? null : timestamp.toInstant();
    }
}
