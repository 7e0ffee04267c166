package io.pocketproxy.server.users;

import java.util.UUID;
import org.jdbi.v3.core.mapper.RowMapper;

/** How a {@link User} is read from a row of {@code users} aliased {@code u}: for queries that join users. */
public final class UserRows {

    public static final String COLUMNS = "u.id, u.email, u.name, u.role, u.created_at";

    public static final RowMapper<User> MAPPER = (rows, ctx) -> new User(
            rows.getObject("id", UUID.class),
            rows.getString("email"),
            rows.getString("name"),
            Role.fromWireName(rows.getString("role")),
            rows.getTimestamp("created_at").toInstant());

    private UserRows() {}
}
