package io.pocketproxy.server.changes;

import io.pocketproxy.relay.directory.Change;
import org.jdbi.v3.core.Handle;

/**
 * Tells every relay about a change with {@code pg_notify} on the caller's transaction: PostgreSQL delivers
 * the notification only if, and when, that transaction commits, so relays never hear of a change that
 * was rolled back.
 */
public final class ChangeAnnouncer {

    public void announce(Handle handle, Change change) {
        handle.createQuery("SELECT pg_notify(:channel, :payload)")
                .bind("channel", Change.CHANNEL)
                .bind("payload", change.payload())
                .mapToMap()
                .one(); // pg_notify returns void: one row, nothing to read
    }
}
