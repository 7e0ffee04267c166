package io.pocketproxy.server.users;

import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.mapper.RowMapper;

/** SQL for {@code users}. Every method runs on the caller's handle, so callers decide the transaction. */
final class UserRepository {

    private static final String COLUMNS = UserRows.COLUMNS;
    private static final RowMapper<User> USER = UserRows.MAPPER;

    /** A user and the hash to check a login against. */
    record WithPasswordHash(User user, String passwordHash) {}

    Optional<User> find(Handle handle, UUID id) {
        return handle.createQuery("SELECT " + COLUMNS + " FROM users u WHERE u.id = :id")
                .bind("id", id)
                .map(USER)
                .findOne();
    }

    Optional<WithPasswordHash> findByEmail(Handle handle, String email) {
        return handle.createQuery("SELECT " + COLUMNS + ", u.password_hash FROM users u WHERE u.email = :email")
                .bind("email", email)
                .map((rows, ctx) -> new WithPasswordHash(USER.map(rows, ctx), rows.getString("password_hash")))
                .findOne();
    }

    boolean any(Handle handle) {
        return handle.createQuery("SELECT EXISTS (SELECT 1 FROM users)")
                .mapTo(Boolean.class)
                .one();
    }

    User insert(Handle handle, String email, String passwordHash, String name, Role role, String webhookSecret) {
        return handle.createQuery("""
                        INSERT INTO users AS u (email, password_hash, name, role, webhook_secret)
                        VALUES (:email, :passwordHash, :name, :role, :webhookSecret)
                        RETURNING """ + " " + COLUMNS)
                .bind("email", email)
                .bind("passwordHash", passwordHash)
                .bind("name", name)
                .bind("role", role.wireName())
                .bind("webhookSecret", webhookSecret)
                .map(USER)
                .one();
    }

    void updatePasswordHash(Handle handle, UUID id, String passwordHash) {
        handle.createUpdate("UPDATE users SET password_hash = :hash, updated_at = now() WHERE id = :id")
                .bind("hash", passwordHash)
                .bind("id", id)
                .execute();
    }
}
