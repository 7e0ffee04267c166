package io.pocketproxy.server.db;

import java.sql.SQLException;

/** Recognizes the PostgreSQL errors that are answers rather than failures. */
public final class SqlErrors {

    private SqlErrors() {}

    public static boolean isUniqueViolation(Throwable e) {
        return hasState(e, "23505");
    }

    public static boolean isForeignKeyViolation(Throwable e) {
        return hasState(e, "23503");
    }

    private static boolean hasState(Throwable e, String state) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException sql && state.equals(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code e} says that a unique index named {@code constraint} refused a row. */
    public static boolean violates(Throwable e, String constraint) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof org.postgresql.util.PSQLException sql
                    && sql.getServerErrorMessage() != null
                    && constraint.equals(sql.getServerErrorMessage().getConstraint())) {
                return true;
            }
        }
        return false;
    }
}
