package io.pocketproxy.bench;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Transfers pass a gate together; an operator's change that must not overlap a transfer (a reset, a new
 * password, an agent or server restart) closes it, waiting for the transfers inside to finish. Fair, so a
 * waiting change is not starved by new transfers; every wait is bounded.
 */
final class Gate {

    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock(true);

    /** Null when the gate stayed closed for {@code timeout}. */
    AutoCloseable pass(Duration timeout) throws InterruptedException {
        ReentrantReadWriteLock.ReadLock shared = lock.readLock();
        return shared.tryLock(timeout.toMillis(), TimeUnit.MILLISECONDS) ? shared::unlock : null;
    }

    /** Null when transfers were still inside after {@code timeout}. */
    AutoCloseable close(Duration timeout) throws InterruptedException {
        ReentrantReadWriteLock.WriteLock exclusive = lock.writeLock();
        return exclusive.tryLock(timeout.toMillis(), TimeUnit.MILLISECONDS) ? exclusive::unlock : null;
    }
}
