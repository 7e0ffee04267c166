package io.pocketproxy.server.rotation;

import io.pocketproxy.link.TokenDigest;
import io.pocketproxy.server.errors.NotFoundException;
import io.pocketproxy.server.secrets.Secrets;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;

/**
 * Customers' rotation links: a secret per connection that rotates that connection's device without a login
 * ({@code /rotate/<secret>}). Only the secret's SHA-256 is stored; a new link replaces the old one.
 */
public final class RotationLinks {

    /** What every rotation-link secret starts with, so one pasted in the wrong place is recognised. */
    public static final String SECRET_PREFIX = "ppr_";

    /** Whose device a link rotates. */
    public record Target(UUID ownerId, UUID deviceId) {}

    private final Jdbi jdbi;

    public RotationLinks(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /**
     * A new link secret for the owner's connection, replacing its previous link; shown once.
     *
     * @throws NotFoundException when the owner has no such connection
     */
    public String issue(UUID ownerId, UUID connectionId) {
        String secret = Secrets.newToken(SECRET_PREFIX);
        int updated = jdbi.withHandle(handle -> handle.createUpdate("""
                        UPDATE proxy_connections SET rotation_link_digest = :digest
                         WHERE id = :id AND owner_id = :owner""")
                .bind("digest", TokenDigest.of(secret))
                .bind("id", connectionId)
                .bind("owner", ownerId)
                .execute());
        if (updated == 0) {
            throw new NotFoundException("connection");
        }
        return secret;
    }

    /** The device a link secret rotates, if it is a current link's. */
    public Optional<Target> find(String secret) {
        if (secret == null || !secret.startsWith(SECRET_PREFIX) || secret.length() > 100) {
            return Optional.empty();
        }
        return jdbi.withHandle(handle -> handle.createQuery("""
                        SELECT owner_id, device_id FROM proxy_connections WHERE rotation_link_digest = :digest""")
                .bind("digest", TokenDigest.of(secret))
                .map((rows, ctx) ->
                        new Target(rows.getObject("owner_id", UUID.class), rows.getObject("device_id", UUID.class)))
                .findOne());
    }
}
