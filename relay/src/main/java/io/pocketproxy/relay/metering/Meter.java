package io.pocketproxy.relay.metering;

import io.netty.channel.Channel;
import io.pocketproxy.link.stream.Pipe;
import io.pocketproxy.relay.directory.ConnectionRecord;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One connection's byte account in this relay, shared by all of the connection's open tunnels so that
 * parallel streams cannot each spend the same remainder.
 *
 * <p>Every write first asks for room with {@link #grant}; the meter grants at most what is left of the
 * limit, so the total granted never exceeds it: overshoot is zero bytes. When the limit is reached, every
 * open tunnel of the connection is closed and {@link #exhausted()} refuses new ones.
 *
 * <p>{@code used} is the relay's best knowledge of the connection's total: the database's figure at load,
 * plus what this relay granted since, plus what other relays reported at each flush. {@code reported} is
 * the part already written to the database. Flushes and resets run on {@link Meters}' own thread, grants on
 * any event loop.
 *
 * <p>It also counts the connection's open device streams, so that its cap holds however many customers
 * open tunnels at the same moment: a slot is reserved before a stream is opened and given back when it
 * closes.
 */
public final class Meter {

    private final UUID connectionId;
    private final AtomicLong used;
    private final Set<Channel> tunnels = ConcurrentHashMap.newKeySet();
    private final Set<Runnable> sessions = ConcurrentHashMap.newKeySet();
    private final AtomicInteger streams = new AtomicInteger();
    private volatile long limit;
    private volatile long generation;
    private volatile long revocations;
    /** The number of the last read of the connection's record applied here ({@link Meters#apply}). */
    private long lastRead;

    private long reported;
    private Access access;

    /**
     * What the connection's tunnels are open under: a tunnel opened with one password, through one device, may not
     * outlive a change of either, or the connection's deactivation.
     */
    record Access(String passwordHash, UUID deviceId, boolean active) {

        static Access of(ConnectionRecord record) {
            return new Access(record.passwordHash(), record.deviceId(), record.active());
        }

        /** Whether tunnels open under this access must close under {@code next}. */
        boolean revokedBy(Access next) {
            return !next.active
                    || !Objects.equals(passwordHash, next.passwordHash)
                    || !Objects.equals(deviceId, next.deviceId);
        }
    }

    Meter(ConnectionRecord record) {
        this.connectionId = record.id();
        this.limit = record.bandwidthLimit();
        this.used = new AtomicLong(record.bandwidthUsed());
        this.reported = record.bandwidthUsed();
        this.generation = record.usageGeneration();
        this.access = Access.of(record);
    }

    public UUID connectionId() {
        return connectionId;
    }

    /** The device the connection exits through, as last applied. Flusher thread only. */
    UUID deviceId() {
        return access.deviceId();
    }

    /**
     * Room for up to {@code requested} bytes: the bytes granted, at most what remains of the limit
     * (everything when unlimited). The caller passes the granted bytes on, then closes the tunnels if
     * the meter is {@link #exhausted()}: in that order, so the last granted bytes still arrive.
     */
    public int grant(int requested) {
        while (true) {
            long current = used.get();
            long currentLimit = limit;
            long granted = requested;
            if (currentLimit > 0) {
                granted = Math.max(0, Math.min(requested, currentLimit - current));
            }
            if (granted == 0 || used.compareAndSet(current, current + granted)) {
                return (int) granted;
            }
        }
    }

    /** Whether the limit is used up: new tunnels are refused. */
    public boolean exhausted() {
        long currentLimit = limit;
        return currentLimit > 0 && used.get() >= currentLimit;
    }

    public long used() {
        return used.get();
    }

    public long limit() {
        return limit;
    }

    public long generation() {
        return generation;
    }

    /**
     * The connection's password, device or active flag is now {@code record}'s: tunnels opened under what changed
     * close. Flusher thread only.
     */
    void setAccess(ConnectionRecord record) {
        Access next = Access.of(record);
        boolean revoked = access.revokedBy(next);
        access = next;
        if (revoked) {
            // Written by the flusher thread only, so the increment cannot lose a count.
            revocations++;
            closeTunnels();
        }
    }

    /**
     * How often a change of the connection's password, device or active flag reached this meter and closed its
     * tunnels. It is how a caller sees that the relay has applied such a change: a tunnel opened after the count
     * moved is open under the new password or device, and this change will not close it.
     */
    public long revocations() {
        return revocations;
    }

    /**
     * Whether the read numbered {@code read} started after every read applied so far, and is now the last. Flusher
     * thread only.
     */
    boolean newerRead(long read) {
        if (read < lastRead) {
            return false;
        }
        lastRead = read;
        return true;
    }

    /** A raised (or lowered) limit applies to the very next grant. */
    void setLimit(long newLimit) {
        limit = newLimit;
        if (exhausted()) {
            closeTunnels();
        }
    }

    /** The database reset the usage and started {@code newGeneration}: counting starts over. Flusher thread only. */
    void reset(long newGeneration) {
        generation = newGeneration;
        used.set(0);
        reported = 0;
    }

    /** Bytes granted but not yet in the database. Flusher thread only. */
    long unreported() {
        return used.get() - reported;
    }

    /**
     * The database accepted {@code delta} more bytes and now holds {@code total}. What other relays added
     * in between is folded into {@code used}. Flusher thread only.
     */
    void reported(long delta, long total) {
        reported += delta;
        long othersAdded = total - reported;
        if (othersAdded != 0) {
            used.addAndGet(othersAdded);
            reported = total;
        }
        if (exhausted()) {
            closeTunnels();
        }
    }

    /** Tracks an open tunnel's customer channel, to close it when the connection must stop. */
    public void track(Channel customer) {
        tunnels.add(customer);
        customer.closeFuture().addListener(closed -> tunnels.remove(customer));
    }

    /** Customer channels with a tunnel open now. */
    public int openTunnels() {
        return tunnels.size();
    }

    /** Takes one of the connection's {@code max} stream slots, if one is free. */
    public boolean reserveStream(int max) {
        while (true) {
            int open = streams.get();
            if (open >= max) {
                return false;
            }
            if (streams.compareAndSet(open, open + 1)) {
                return true;
            }
        }
    }

    /** Gives back a slot {@link #reserveStream} took: its stream closed, or never opened. */
    public void releaseStream() {
        streams.decrementAndGet();
    }

    /** Device streams open (or opening) now. */
    public int openStreams() {
        return streams.get();
    }

    /**
     * Tracks a customer session that carries tunnels without being one (an OpenVPN client): {@code end} runs
     * whenever the connection's tunnels must close, until the returned handle untracks it. It may run more than
     * once, so it must be idempotent, and it runs on whichever thread closes the tunnels, so it must not block.
     */
    public AutoCloseable trackSession(Runnable end) {
        sessions.add(end);
        return () -> sessions.remove(end);
    }

    /** Sessions tracked now. */
    public int openSessions() {
        return sessions.size();
    }

    /**
     * Closes every open tunnel of this connection, after the bytes already granted have been delivered, and ends
     * its sessions.
     */
    public void closeTunnels() {
        for (Channel customer : tunnels) {
            Pipe.closeOnFlush(customer);
        }
        for (Runnable end : sessions) {
            end.run();
        }
    }
}
