package io.pocketproxy.server.users;

import java.time.Instant;
import java.util.UUID;

/** A person who signs in to the dashboard or the API. Carries no credential. */
public record User(UUID id, String email, String name, Role role, Instant createdAt) {

    public boolean isAdmin() {
        return role == Role.ADMIN;
    }
}
