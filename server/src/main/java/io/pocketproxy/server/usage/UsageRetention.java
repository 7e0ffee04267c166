package io.pocketproxy.server.usage;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.Period;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import org.jdbi.v3.core.Jdbi;

/**
 * Keeps the usage history bounded (docs/architecture.md section 6): hourly buckets for at least
 * {@link #HOURLY}, then rolled up into their UTC day; daily buckets for at least {@link #DAILY}, then deleted.
 *
 * <p>Work is done in batches of at most {@code batchSize} hourly or daily rows, each its own transaction, so a
 * backlog (a server that was down for weeks, a first run on a large table) never holds locks or a snapshot
 * for long. Rows are claimed with {@code FOR UPDATE SKIP LOCKED}: several servers on one database share the
 * work instead of waiting for each other. The relays' flushes only ever write the current hour, far from
 * here.
 */
public final class UsageRetention {

    /** Hourly history is kept at least this long; the days before are kept by day. */
    public static final Duration HOURLY = Duration.ofDays(90);

    /** Daily history is kept at least this long. */
    public static final Period DAILY = Period.ofYears(2);

    /** Rows per transaction: a few megabytes of work, a fraction of a second on a small server. */
    public static final int BATCH_SIZE = 10_000;

    /** What one {@link #run} did: rows rolled up and deleted, and in how many transactions. */
    public record Pass(long rolledUp, long pruned, int transactions) {}

    private final Jdbi jdbi;
    private final Clock clock;
    private final int batchSize;

    public UsageRetention(Jdbi jdbi, Clock clock, int batchSize) {
        this.jdbi = jdbi;
        this.clock = clock;
        this.batchSize = batchSize;
    }

    /** Rolls up and prunes everything due now, batch after batch, until a batch finds less than a full load. */
    public Pass run() {
        Instant now = clock.instant();
        long rolledUp = 0;
        long pruned = 0;
        int transactions = 0;
        int moved;
        do {
            moved = rollUpBatch(now);
            rolledUp += moved;
            transactions++;
        } while (moved == batchSize);
        int deleted;
        do {
            deleted = pruneBatch(now);
            pruned += deleted;
            transactions++;
        } while (deleted == batchSize);
        return new Pass(rolledUp, pruned, transactions);
    }

    /**
     * Hourly buckets of whole UTC days older than {@link #HOURLY} go into their day: at most one batch, in one
     * statement, so the bytes are never counted twice nor lost. Generation and device stay as they were, so a
     * usage period still adds up to its {@code bandwidth_used} and a device keeps its history. Answers how many
     * hourly rows it moved.
     */
    public int rollUpBatch(Instant now) {
        return jdbi.inTransaction(handle -> handle.createQuery("""
                        WITH batch AS (
                            SELECT connection_id, bucket_start, resolution, usage_generation, device_id
                              FROM usage_buckets
                             WHERE resolution = 'hour' AND bucket_start < :before
                             ORDER BY bucket_start
                             LIMIT :batch
                               FOR UPDATE SKIP LOCKED
                        ), moved AS (
                            DELETE FROM usage_buckets u USING batch b
                             WHERE (u.connection_id, u.bucket_start, u.resolution, u.usage_generation, u.device_id)
                                 = (b.connection_id, b.bucket_start, b.resolution, b.usage_generation, b.device_id)
                            RETURNING u.connection_id, u.usage_generation, u.device_id, u.owner_id, u.bucket_start, u.bytes
                        ), days AS (
                            INSERT INTO usage_buckets
                                   (connection_id, usage_generation, device_id, owner_id, resolution, bucket_start, bytes)
                            SELECT connection_id, usage_generation, device_id, owner_id, 'day',
                                   date_trunc('day', bucket_start, 'UTC'), sum(bytes)
                              FROM moved
                             GROUP BY connection_id, usage_generation, device_id, owner_id,
                                      date_trunc('day', bucket_start, 'UTC')
                             -- one order for every server rolling up at once: their day rows are locked alike
                             ORDER BY 1, 6, 2, 3
                                ON CONFLICT (connection_id, bucket_start, resolution, usage_generation, device_id)
                                DO UPDATE SET bytes = usage_buckets.bytes + EXCLUDED.bytes
                        )
                        SELECT count(*) FROM moved""")
                .bind("before", Timestamp.from(hourlyKeptFrom(now)))
                .bind("batch", batchSize)
                .mapTo(Integer.class)
                .one());
    }

    /** Deletes at most one batch of daily buckets older than {@link #DAILY}; answers how many. */
    public int pruneBatch(Instant now) {
        return jdbi.inTransaction(handle -> handle.createUpdate("""
                        WITH batch AS (
                            SELECT connection_id, bucket_start, resolution, usage_generation, device_id
                              FROM usage_buckets
                             WHERE resolution = 'day' AND bucket_start < :before
                             ORDER BY bucket_start
                             LIMIT :batch
                               FOR UPDATE SKIP LOCKED
                        )
                        DELETE FROM usage_buckets u USING batch b
                         WHERE (u.connection_id, u.bucket_start, u.resolution, u.usage_generation, u.device_id)
                             = (b.connection_id, b.bucket_start, b.resolution, b.usage_generation, b.device_id)""")
                .bind("before", Timestamp.from(dailyKeptFrom(now)))
                .bind("batch", batchSize)
                .execute());
    }

    /** Hours before this are rolled up: the start of the UTC day {@link #HOURLY} ago, so only whole days move. */
    public static Instant hourlyKeptFrom(Instant now) {
        return now.minus(HOURLY).truncatedTo(ChronoUnit.DAYS);
    }

    /** Days before this are deleted: the start of the UTC day {@link #DAILY} ago. */
    public static Instant dailyKeptFrom(Instant now) {
        return now.atZone(ZoneOffset.UTC)
                .minus(DAILY)
                .truncatedTo(ChronoUnit.DAYS)
                .toInstant();
    }
}
