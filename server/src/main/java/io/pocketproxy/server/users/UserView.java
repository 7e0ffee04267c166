package io.pocketproxy.server.users;

import java.time.Instant;
import java.util.UUID;

/** A user as the API shows it. */
public record UserView(UUID id, String email, String name, Role role, Instant createdAt) {

    public static UserView of(User user) {
        return new UserView(user.id(), user.email(), user.name(), user.role(), user.createdAt());
    }
}
