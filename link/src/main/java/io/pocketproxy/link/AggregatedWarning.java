package io.pocketproxy.link;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;

/**
 * One warning per interval for a failure that hits many connections at once (a database outage seen by every
 * customer signing in), with the count of those it stood for, instead of a warning per connection.
 */
public final class AggregatedWarning {

    private final Logger log;
    private final String what;
    private final long intervalNanos;
    private final LongSupplier nanoClock;
    private final AtomicLong nextAt;
    private final AtomicLong suppressed = new AtomicLong();

    public AggregatedWarning(Logger log, String what, Duration interval) {
        this(log, what, interval, System::nanoTime);
    }

    AggregatedWarning(Logger log, String what, Duration interval, LongSupplier nanoClock) {
        this.log = log;
        this.what = what;
        this.intervalNanos = interval.toNanos();
        this.nanoClock = nanoClock;
        this.nextAt = new AtomicLong(nanoClock.getAsLong());
    }

    /** Logs {@code cause} unless a warning went out within the interval; then only counts it. */
    public void warn(Throwable cause) {
        long now = nanoClock.getAsLong();
        long due = nextAt.get();
        if (now - due < 0 || !nextAt.compareAndSet(due, now + intervalNanos)) {
            suppressed.incrementAndGet();
            return;
        }
        long others = suppressed.getAndSet(0);
        if (others == 0) {
            log.warn("{}", what, cause);
        } else {
            log.warn("{} (and {} more times since the last warning)", what, others, cause);
        }
    }
}
