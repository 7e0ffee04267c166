package io.pocketproxy.server.db;

import java.util.Collection;
import org.jdbi.v3.core.argument.Argument;

/**
 * PostgreSQL array parameters, so that one statement can carry a whole batch ({@code unnest(:ids, ...)})
 * instead of one round trip per row.
 */
public final class SqlArrays {

    private SqlArrays() {}

    /** {@code values} as an array of PostgreSQL's {@code elementType} ({@code uuid}, {@code bigint}, ...). */
    public static Argument of(String elementType, Collection<?> values) {
        Object[] elements = values.toArray();
        return (position, statement, context) ->
                statement.setArray(position, statement.getConnection().createArrayOf(elementType, elements));
    }
}
