package io.pocketproxy.link.stream;

import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;

/**
 * How a tunnel's channels read and buffer.
 *
 * <p>The watermarks say how many bytes a tunnel lets wait unwritten before its reader pauses ({@link Pipe}), for
 * each kind of channel a tunnel crosses. Netty's 32/64 KiB default pauses a bulk reader after every read: one
 * 64 KiB read fills the peer past its mark, reading stops (an {@code epoll_ctl}), the flush drains it, reading
 * starts (another). These marks let a read batch through before the pause, and still bound what one tunnel holds
 * in memory: the device stream's flow-control window is what a slow customer costs, not these.
 */
public final class TunnelBuffers {

    /** A socket at either end of a tunnel: a customer's on the relay, a target's on the agent. */
    public static final WriteBufferWaterMark TUNNEL_SOCKET = new WriteBufferWaterMark(256 * 1024, 1024 * 1024);

    /** A tunnel's device stream; it also waits for its link socket below. */
    public static final WriteBufferWaterMark STREAM = new WriteBufferWaterMark(256 * 1024, 1024 * 1024);

    /** A device link's TLS socket, which every stream of the device shares. */
    public static final WriteBufferWaterMark LINK = new WriteBufferWaterMark(512 * 1024, 2 * 1024 * 1024);

    /**
     * Reads of up to 256 KiB (Netty's adaptive default stops at 64 KiB): a quarter of the receive calls in bulk,
     * measured at +25 % one-stream download and +50 % upload through relay and agent (bench/run, A/B).
     */
    public static final RecvByteBufAllocator READS = new AdaptiveRecvByteBufAllocator(64, 16 * 1024, 256 * 1024);

    private TunnelBuffers() {}
}
