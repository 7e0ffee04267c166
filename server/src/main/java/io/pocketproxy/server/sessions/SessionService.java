package io.pocketproxy.server.sessions;

import io.pocketproxy.server.secrets.Secrets;
import io.pocketproxy.server.users.User;
import io.pocketproxy.server.users.UserRows;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;

/**
 * Login sessions, which are also the API's bearer tokens. A token is 256 random bits; the database keeps
 * its SHA-256 only, so a copy of the database lets nobody in. Sessions expire {@code ttl} after login.
 */
public final class SessionService {

    static final String TOKEN_PREFIX = "pps_";

    private final Jdbi jdbi;
    private final Clock clock;
    private final Duration ttl;

    public SessionService(Jdbi jdbi, Clock clock, Duration ttl) {
        this.jdbi = jdbi;
        this.clock = clock;
        this.ttl = ttl;
    }

    public Session issue(UUID userId) {
        String token = Secrets.newToken(TOKEN_PREFIX);
        Instant now = clock.instant();
        Instant expiresAt = now.plus(ttl);
        jdbi.useTransaction(handle -> {
            // Housekeeping rides along with logins, which are rare enough to pay for it.
            handle.createUpdate("DELETE FROM sessions WHERE expires_at <= :now")
                    .bind("now", Timestamp.from(now))
                    .execute();
            handle.createUpdate(
                            "INSERT INTO sessions (token_digest, user_id, expires_at) VALUES (:digest, :user, :expires)")
                    .bind("digest", Secrets.digest(token))
                    .bind("user", userId)
                    .bind("expires", Timestamp.from(expiresAt))
                    .execute();
        });
        return new Session(token, expiresAt);
    }

    /** The user a token belongs to, if the token is known and has not expired. */
    public Optional<User> resolve(String token) {
        if (token == null || !token.startsWith(TOKEN_PREFIX)) {
            return Optional.empty();
        }
        return jdbi.withHandle(handle -> handle.createQuery("SELECT " + UserRows.COLUMNS + """
                         FROM sessions s JOIN users u ON u.id = s.user_id
                        WHERE s.token_digest = :digest AND s.expires_at > :now
                        """)
                .bind("digest", Secrets.digest(token))
                .bind("now", Timestamp.from(clock.instant()))
                .map(UserRows.MAPPER)
                .findOne());
    }

    public void revoke(String token) {
        if (token == null) {
            return;
        }
        jdbi.useHandle(handle -> handle.createUpdate("DELETE FROM sessions WHERE token_digest = :digest")
                .bind("digest", Secrets.digest(token))
                .execute());
    }

    public Duration ttl() {
        return ttl;
    }
}
