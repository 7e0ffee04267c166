package io.pocketproxy.server.webhooks;

import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Webhook requests in flight in this process, counted per operator under two caps: so many per operator
 * and so many in all. Whatever one operator's receivers do (answer slowly, never finish), they hold only
 * their own places, and every request that holds a place has a connection of its own waiting for it.
 */
final class FairShare {

    private final int perOperator;
    private final int total;
    private final Map<UUID, Integer> taken = new HashMap<>();
    private int takenInAll;

    FairShare(int perOperator, int total) {
        this.perOperator = perOperator;
        this.total = total;
    }

    int perOperator() {
        return perOperator;
    }

    int total() {
        return total;
    }

    /** Takes a place for {@code owner} if both caps leave one; false, and nothing taken, if not. */
    synchronized boolean tryTake(UUID owner) {
        if (takenInAll >= total || taken.getOrDefault(owner, 0) >= perOperator) {
            return false;
        }
        take(owner);
        return true;
    }

    /** Takes a place the caller knows is free: work claimed within {@link #taken()} and {@link #free()}. */
    synchronized void take(UUID owner) {
        taken.merge(owner, 1, Integer::sum);
        takenInAll++;
    }

    synchronized void give(UUID owner) {
        taken.computeIfPresent(owner, (id, places) -> places == 1 ? null : places - 1);
        takenInAll--;
    }

    /** The places each operator holds now; operators holding none are absent. */
    synchronized Map<UUID, Integer> taken() {
        return Map.copyOf(taken);
    }

    /** Places free in all. */
    synchronized int free() {
        return total - takenInAll;
    }
}
