package io.pocketproxy.server.usage;

import io.pocketproxy.link.Threads;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@link UsageRetention} in the server every hour. Hourly buckets become due a whole day at a time, so
 * an hour's delay is nothing; the first run waits a minute, leaving a starting server to its agents.
 */
public final class UsageRetentionJob implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(UsageRetentionJob.class);
    private static final Duration FIRST_RUN = Duration.ofMinutes(1);
    private static final Duration INTERVAL = Duration.ofHours(1);

    private final UsageRetention retention;
    private final ScheduledExecutorService thread =
            Executors.newSingleThreadScheduledExecutor(Threads.daemon("usage-retention"));

    public UsageRetentionJob(UsageRetention retention) {
        this.retention = retention;
        thread.scheduleWithFixedDelay(
                this::runQuietly, FIRST_RUN.toMillis(), INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void runQuietly() {
        try {
            UsageRetention.Pass pass = retention.run();
            if (pass.rolledUp() > 0 || pass.pruned() > 0) {
                log.info(
                        "usage history: {} hourly rows rolled up into days, {} daily rows past retention deleted,"
                                + " in {} transactions",
                        pass.rolledUp(),
                        pass.pruned(),
                        pass.transactions());
            }
        } catch (RuntimeException e) {
            // What is left stays due: the next run picks it up.
            log.warn("usage history roll-up failed; will retry in {}", INTERVAL, e);
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
