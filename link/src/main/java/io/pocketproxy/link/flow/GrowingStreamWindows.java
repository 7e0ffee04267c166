package io.pocketproxy.link.flow;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.DefaultHttp2LocalFlowController;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameWriter;
import io.netty.handler.codec.http2.Http2LocalFlowController;
import io.netty.handler.codec.http2.Http2Stream;
import java.util.function.LongSupplier;

/**
 * Receive windows of a device link that follow each stream's reader, so that a reader who stops can hold
 * back only its own stream.
 *
 * <p>With HTTP/2's usual accounting, bytes a stream has received but not yet handed on also hold the
 * link's window: a few customers who stop reading would freeze every stream of their phone. Here the
 * link window is returned as soon as bytes arrive (it bounds only what is in flight), and memory is
 * bounded by the stream windows instead: each stream starts small and its window doubles each time its
 * reader moves a whole window within {@code growWithin} nanoseconds, up to {@code maxWindow}. What
 * streams gain above the initial window comes out of one budget per link and goes back when they close.
 * A stream whose reader stops stays at the window it had earned.
 *
 * <p>So a stream's window ends near {@code growWithin ×} its own rate, whatever the round trip: a fast
 * download on a cellular link earns megabytes, a slow one or a stalled one keeps a few hundred KiB.
 * Event loop only, as Netty's own controller.
 */
public final class GrowingStreamWindows implements Http2LocalFlowController {

    /**
     * A window update goes out once a quarter of the window is consumed, not Netty's half: the sender then
     * always has three quarters of the window or more to send on, which over a long round trip is what
     * the throughput is. The updates cost 13 bytes each.
     */
    private static final float UPDATE_RATIO = 0.75f;

    private final DefaultHttp2LocalFlowController windows;
    private final Http2Connection.PropertyKey growthKey;
    private final int maxWindow;
    private final long growWithinNanos;
    private final LongSupplier nanoClock;
    private int budgetLeft;
    private ChannelHandlerContext ctx;
    private boolean flushScheduled;

    /** What a stream earned above the initial window, and how much its reader moved since when. */
    private static final class Growth {
        int earned;
        long moved;
        long since;
    }

    public GrowingStreamWindows(
            Http2Connection connection, int maxWindow, int budget, long growWithinNanos, LongSupplier nanoClock) {
        // true: the link window is refilled on arrival, not when the application consumes the bytes.
        this.windows = new DefaultHttp2LocalFlowController(connection, UPDATE_RATIO, true);
        this.growthKey = connection.newKey();
        this.maxWindow = maxWindow;
        this.growWithinNanos = growWithinNanos;
        this.nanoClock = nanoClock;
        this.budgetLeft = budget;
        connection.addListener(new Http2ConnectionAdapter() {
            @Override
            public void onStreamClosed(Http2Stream stream) {
                Growth growth = stream.getProperty(growthKey);
                if (growth != null) {
                    budgetLeft += growth.earned;
                    growth.earned = 0;
                }
            }
        });
    }

    /** What the streams of this link may still earn above their initial windows, in bytes. */
    public int budgetLeft() {
        return budgetLeft;
    }

    @Override
    public boolean consumeBytes(Http2Stream stream, int numBytes) throws Http2Exception {
        boolean updated = windows.consumeBytes(stream, numBytes);
        boolean grown = stream != null && stream.state() != Http2Stream.State.CLOSED && grow(stream, numBytes);
        if (updated || grown) {
            flushSoon();
        }
        return updated;
    }

    /**
     * Doubles the stream's window if its reader has just moved a whole window within {@code growWithin}.
     *
     * @return whether a window update was written
     */
    private boolean grow(Http2Stream stream, int consumed) throws Http2Exception {
        Growth growth = stream.getProperty(growthKey);
        long now = nanoClock.getAsLong();
        if (growth == null) {
            // Allocated when a stream first moves bytes: idle streams stay as small as they were.
            growth = new Growth();
            growth.since = now;
            stream.setProperty(growthKey, growth);
        }
        int window = windows.initialWindowSize(stream);
        growth.moved += consumed;
        if (growth.moved < window) {
            return false;
        }
        boolean keptUp = now - growth.since < growWithinNanos;
        growth.moved = 0;
        growth.since = now;
        int delta = keptUp ? Math.min(Math.min(window, maxWindow - window), budgetLeft) : 0;
        if (delta <= 0) {
            return false;
        }
        budgetLeft -= delta;
        growth.earned += delta;
        windows.incrementWindowSize(stream, delta);
        return true;
    }

    /**
     * Flushes the window updates just written, once per event-loop turn however many there were.
     *
     * <p>Netty's stream channels return a stream's window when their reader asks for more, and when that
     * request comes from another event loop (a customer's socket drained) while the stream is marked as
     * reading, the update is written but not flushed: the sender then waits for the link's next ping to
     * carry it out, up to 15 s. Measured with {@code bench/run}: one download at 1–2 MB/s instead of 200.
     */
    private void flushSoon() {
        if (flushScheduled) {
            return;
        }
        flushScheduled = true;
        ctx.executor().execute(() -> {
            flushScheduled = false;
            ctx.flush();
        });
    }

    // The rest is Netty's controller as it is.

    @Override
    public GrowingStreamWindows frameWriter(Http2FrameWriter frameWriter) {
        windows.frameWriter(frameWriter);
        return this;
    }

    @Override
    public void channelHandlerContext(ChannelHandlerContext ctx) throws Http2Exception {
        this.ctx = ctx;
        windows.channelHandlerContext(ctx);
    }

    @Override
    public void initialWindowSize(int newWindowSize) throws Http2Exception {
        windows.initialWindowSize(newWindowSize);
    }

    @Override
    public int initialWindowSize() {
        return windows.initialWindowSize();
    }

    @Override
    public int windowSize(Http2Stream stream) {
        return windows.windowSize(stream);
    }

    @Override
    public int initialWindowSize(Http2Stream stream) {
        return windows.initialWindowSize(stream);
    }

    @Override
    public void incrementWindowSize(Http2Stream stream, int delta) throws Http2Exception {
        windows.incrementWindowSize(stream, delta);
    }

    @Override
    public void receiveFlowControlledFrame(Http2Stream stream, ByteBuf data, int padding, boolean endOfStream)
            throws Http2Exception {
        windows.receiveFlowControlledFrame(stream, data, padding, endOfStream);
    }

    @Override
    public int unconsumedBytes(Http2Stream stream) {
        return windows.unconsumedBytes(stream);
    }
}
