package io.pocketproxy.relay.metering;

import io.netty.channel.Channel;
import io.pocketproxy.link.stream.Pipe;
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
    private final AtomicInteger streams = new AtomicInteger();
    private volatile long limit;
    private volatile long generation;
    private long reported;

    Meter(UUID connectionId, long limit, long used, long generation) {
        this.connectionId = connectionId;
        this.limit = limit;
        this.used = new AtomicLong(used);
        this.reported = used;
        this.generation = generation;
    }

    public UUID connectionId() {
        return connectionId;
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

    /** Closes every open tunnel of this connection, after the bytes already granted have been delivered. */
    public void closeTunnels() {
        for (Channel customer : tunnels) {
            Pipe.closeOnFlush(customer);
        }
    }
}
