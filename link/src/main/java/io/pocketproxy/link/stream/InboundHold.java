package io.pocketproxy.link.stream;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.Queue;

/**
 * Holds what a channel reads while the rest of its pipeline is being set up, and passes it on, in order,
 * the moment it is removed. Nothing is read ahead: the channel's autoRead is off while it waits, so only
 * what had already arrived is held.
 */
public final class InboundHold extends ChannelInboundHandlerAdapter {

    private final Queue<Object> held = new ArrayDeque<>();
    private boolean closed;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        held.add(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        // nothing to announce until released
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closed = true;
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (held.isEmpty() && !closed) {
            return;
        }
        for (Object msg = held.poll(); msg != null; msg = held.poll()) {
            ctx.fireChannelRead(msg);
        }
        ctx.fireChannelReadComplete();
        if (closed) {
            ctx.fireChannelInactive();
        }
    }

    /** Drops what is held, when the pipeline it waited for will never come. */
    public void discard() {
        for (Object msg = held.poll(); msg != null; msg = held.poll()) {
            ReferenceCountUtil.release(msg);
        }
    }
}
