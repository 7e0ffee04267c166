package io.pocketproxy.server.db;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.Set;

/**
 * Recognizes a failure that says "PostgreSQL cannot be reached right now" rather than "this statement is wrong":
 * the pool had no connection to lend within its wait, a connection broke or timed out, or the server is shutting
 * down or starting. Such a failure is the database's outage, answered "try again later", never a bug's incident.
 */
public final class DatabaseUnavailable {

    /** PostgreSQL's shutting down (admin, crash) and starting up; "53300": no connection slot left. */
    private static final Set<String> STATES = Set.of("57P01", "57P02", "57P03", "53300");

    private DatabaseUnavailable() {}

    public static boolean is(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLTransientConnectionException) {
                return true;
            }
            if (cause instanceof SQLException sql && sql.getSQLState() != null) {
                String state = sql.getSQLState();
                // Class 08: connection exceptions, among them "08006" for an I/O error or a read that timed out.
                if (state.startsWith("08") || STATES.contains(state)) {
                    return true;
                }
            }
        }
        return false;
    }
}
