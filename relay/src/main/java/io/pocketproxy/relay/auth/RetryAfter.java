package io.pocketproxy.relay.auth;

import java.time.Duration;

/** A wait as every answer that carries one says it ({@code Retry-After}, OpenVPN's back-off): whole seconds. */
public final class RetryAfter {

    private RetryAfter() {}

    /** The wait in whole seconds, rounded up and at least one, so that a client never comes back too early. */
    public static long seconds(Duration wait) {
        return Math.max(1, (wait.toMillis() + 999) / 1000);
    }
}
