package io.pocketproxy.relay.metering;

import io.pocketproxy.link.AggregatedWarning;
import io.pocketproxy.link.Threads;
import io.pocketproxy.relay.directory.ConnectionRecord;
import io.pocketproxy.relay.directory.UsageSink;
import io.pocketproxy.relay.directory.UsageSink.UsageDelta;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay's meters, one per connection in use: created from the database's figures at first use,
 * flushed to the {@link UsageSink} as deltas every interval, and brought in line with the control plane
 * when it changes a limit or resets usage.
 *
 * <p>Flushes and changes run on one thread of their own, so a reset can never interleave with a flush of
 * the bytes counted before it.
 */
public final class Meters implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Meters.class);

    private final UsageSink sink;
    /** How long a tunnel waits for its meter's first read of the total ({@link #currentMeterFor}) at most. */
    static final Duration FIRST_READ_WAIT = Duration.ofSeconds(1);

    private final ConcurrentMap<UUID, Meter> meters = new ConcurrentHashMap<>();
    /** Meters that hold the database's total as of their first use here (or their first since their device left). */
    private final ConcurrentMap<UUID, CompletableFuture<Meter>> current = new ConcurrentHashMap<>();

    private final ScheduledExecutorService thread;
    private final AtomicLong reads = new AtomicLong();
    private final AggregatedWarning flushFailed = new AggregatedWarning(
            log, "cannot write usage; keeping it counted in memory and trying again", Duration.ofMinutes(1));

    public Meters(UsageSink sink, Duration flushInterval) {
        this.sink = sink;
        this.thread = Executors.newSingleThreadScheduledExecutor(Threads.daemon("usage-meters"));
        long interval = flushInterval.toMillis();
        thread.scheduleWithFixedDelay(this::flushQuietly, interval, interval, TimeUnit.MILLISECONDS);
    }

    /** The meter of {@code record}'s connection, created from its figures if this relay has none yet. */
    public Meter meterFor(ConnectionRecord record) {
        return meters.computeIfAbsent(record.id(), id -> new Meter(record));
    }

    /**
     * The meter of {@code record}'s connection, once it holds the connection's total as the database has it now: the
     * first use of a meter here, and the first after its device's link left this relay, reads it (with this relay's
     * unreported bytes, in one round trip on the meters' thread), because {@code record} may be older than what
     * another relay counted since, above all the relay that held the device before. Completes at once after that.
     * When the database cannot answer, the meter goes on from what it knows; the next flush brings it in line.
     */
    public CompletableFuture<Meter> currentMeterFor(ConnectionRecord record) {
        CompletableFuture<Meter> known = current.get(record.id());
        if (known != null) {
            return known;
        }
        return current.computeIfAbsent(record.id(), id -> {
            Meter meter = meterFor(record);
            CompletableFuture<Meter> reading = new CompletableFuture<>();
            try {
                thread.execute(() -> {
                    try {
                        report(List.of(meter));
                    } catch (RuntimeException e) {
                        flushFailed.warn(e);
                    }
                    reading.complete(meter);
                });
            } catch (RejectedExecutionException stopping) {
                reading.complete(meter); // the relay is stopping: nothing more will be written anyway
            }
            // A database slow to answer must not hold the tunnel: the meter goes on from what it knows.
            return reading.completeOnTimeout(meter, FIRST_READ_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        });
    }

    /**
     * The device's link left this relay: what its connections' meters counted is written now, so the relay it goes
     * to starts from it, and each reads the database's total again at its next use here. Completes once written, or
     * fails when it could not be (it stays counted, for the next flush).
     */
    public CompletableFuture<Void> release(UUID deviceId) {
        try {
            return CompletableFuture.runAsync(() -> reportLeaving(deviceId), thread);
        } catch (RejectedExecutionException stopping) {
            // The relay is stopping: its last flush writes everything, and the relay the device goes to waits for it.
            return CompletableFuture.failedFuture(stopping);
        }
    }

    private void reportLeaving(UUID deviceId) {
        List<Meter> leaving = meters.values().stream()
                .filter(meter -> deviceId.equals(meter.deviceId()))
                .toList();
        leaving.forEach(meter -> current.remove(meter.connectionId()));
        try {
            report(leaving);
        } catch (RuntimeException e) {
            flushFailed.warn(e); // still counted; the next flush writes it
            throw e;
        }
    }

    /** The connections this relay holds meters for. */
    public java.util.Set<UUID> ids() {
        return java.util.Set.copyOf(meters.keySet());
    }

    public Optional<Meter> find(UUID connectionId) {
        return Optional.ofNullable(meters.get(connectionId));
    }

    /** Numbers a read of a connection's record that is about to start; pass the number on to {@link #apply}. */
    public long readStarting() {
        return reads.incrementAndGet();
    }

    /**
     * Applies the control plane's current record of a connection, as the read numbered {@code read} found it: a new
     * limit, a reset (a newer usage generation), and a new password or device, or its deactivation, which close its
     * open tunnels. Applying a record that changed nothing changes nothing, so a periodic re-read is harmless.
     *
     * <p>Reads run side by side and complete in any order, and one that started first may have read the row before a
     * change that a later one saw: a read that started before the last one applied to the meter is dropped. Applied
     * anyway, a periodic re-read that predated a new password put the old one back, closing every tunnel opened with
     * the new one, and closed them again when the next re-read restored it. A change a dropped read saw and the
     * applied one missed is read again after its own notice.
     */
    public void apply(ConnectionRecord record, long read) {
        thread.execute(() -> {
            Meter meter = meters.get(record.id());
            if (meter == null || !meter.newerRead(read)) {
                return;
            }
            if (record.usageGeneration() > meter.generation()) {
                meter.reset(record.usageGeneration());
            }
            if (!Objects.equals(record.deviceId(), meter.deviceId())) {
                // Moved to another device, and maybe to another relay with it: what was counted here goes to the
                // database now, and the meter reads the total again when it is next used here.
                current.remove(record.id());
                try {
                    report(List.of(meter));
                } catch (RuntimeException e) {
                    flushFailed.warn(e);
                }
            }
            meter.setLimit(record.bandwidthLimit());
            meter.setAccess(record);
        });
    }

    /** The connection is gone: its tunnels close and its meter is dropped (its unflushed bytes with it). */
    public void remove(UUID connectionId) {
        thread.execute(() -> {
            Meter meter = meters.remove(connectionId);
            current.remove(connectionId);
            if (meter != null) {
                meter.closeTunnels();
            }
        });
    }

    /** Writes every meter's unreported bytes to the sink now; waits for it. Whether it was all written. */
    public boolean flush() {
        try {
            thread.submit(this::flushAll).get(30, TimeUnit.SECONDS);
            return true;
        } catch (Exception e) {
            log.warn("flushing usage failed", e);
            return false;
        }
    }

    private void flushQuietly() {
        try {
            flushAll();
        } catch (RuntimeException e) {
            // The next run tries again with everything still unreported; one bad run must not end the task. What
            // waits is one number per connection, however long the database is away.
            flushFailed.warn(e);
        }
    }

    /** One round trip for every meter with bytes to report, however many there are. */
    private void flushAll() {
        List<Meter> flushed = new ArrayList<>();
        for (Meter meter : meters.values()) {
            if (meter.unreported() != 0) {
                flushed.add(meter);
            }
        }
        if (!flushed.isEmpty()) {
            report(flushed);
        }
    }

    /** Writes {@code flushed}'s unreported bytes (none is fine: it reads their totals) and takes the totals back. */
    private void report(List<Meter> flushed) {
        if (flushed.isEmpty()) {
            return;
        }
        List<UsageDelta> deltas = new ArrayList<>(flushed.size());
        for (Meter meter : flushed) {
            deltas.add(new UsageDelta(meter.connectionId(), meter.generation(), meter.unreported()));
        }
        Map<UUID, Long> totals = sink.addUsage(deltas).join();
        for (int i = 0; i < flushed.size(); i++) {
            Meter meter = flushed.get(i);
            Long total = totals.get(meter.connectionId());
            // Missing: reset or deleted since, so these bytes belong to a generation that no longer counts.
            meter.reported(deltas.get(i).bytes(), total != null ? total : meter.used());
        }
    }

    /** Writes what is left, then stops; whether it was all written. */
    public boolean closeFlushed() {
        boolean flushed = flush();
        thread.shutdownNow();
        return flushed;
    }

    @Override
    public void close() {
        closeFlushed();
    }
}
