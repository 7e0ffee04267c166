package io.pocketproxy.relay.auth;

import io.pocketproxy.relay.directory.ConnectionRecord;
import java.time.Duration;

/** How a customer's sign-in ended. */
public sealed interface AuthOutcome {

    record Accepted(ConnectionRecord connection) implements AuthOutcome {}

    /** Wrong username or password: the same answer for both. */
    record Rejected() implements AuthOutcome {}

    /** Too many failures from this client; try again after {@code retryAfter}. */
    record Throttled(Duration retryAfter) implements AuthOutcome {}

    /**
     * The check could not be made (storage unreachable, the bcrypt pool full): not the customer's fault, so
     * neither a rejection nor a throttled failure.
     */
    record Unavailable() implements AuthOutcome {}
}
