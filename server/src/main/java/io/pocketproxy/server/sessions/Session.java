package io.pocketproxy.server.sessions;

import java.time.Instant;

/** A newly issued session: the token is shown to its user once and kept by us only as a digest. */
public record Session(String token, Instant expiresAt) {

    @Override
    public String toString() {
        return "Session[token=****, expiresAt=" + expiresAt + "]";
    }
}
