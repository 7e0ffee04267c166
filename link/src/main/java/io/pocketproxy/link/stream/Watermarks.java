package io.pocketproxy.link.stream;

import io.netty.channel.WriteBufferWaterMark;

/**
 * How many bytes a tunnel lets wait unwritten before its reader pauses ({@link Pipe}), for each kind of channel
 * a tunnel crosses. Netty's 32/64 KiB default pauses a bulk reader after every read: one 64 KiB read fills the
 * peer past its mark, reading stops (an {@code epoll_ctl}), the flush drains it, reading starts (another). These
 * marks let a read batch through before the pause, and still bound what one tunnel holds in memory: the device
 * stream's flow-control window is what a slow customer costs, not these.
 */
public final class Watermarks {

    /** A socket at either end of a tunnel: a customer's on the relay, a target's on the agent. */
    public static final WriteBufferWaterMark TUNNEL_SOCKET = new WriteBufferWaterMark(256 * 1024, 1024 * 1024);

    /** A tunnel's device stream; it also waits for its link socket below. */
    public static final WriteBufferWaterMark STREAM = new WriteBufferWaterMark(256 * 1024, 1024 * 1024);

    /** A device link's TLS socket, which every stream of the device shares. */
    public static final WriteBufferWaterMark LINK = new WriteBufferWaterMark(512 * 1024, 2 * 1024 * 1024);

    private Watermarks() {}
}
