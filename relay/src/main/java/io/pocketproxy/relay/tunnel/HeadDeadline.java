package io.pocketproxy.relay.tunnel;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives a customer a fixed time to finish the proxy handshake (an HTTP request head, the SOCKS5
 * exchange). A slow client that trickles one byte at a time keeps a connection idle-timer happy; this
 * deadline does not move. The protocol handler removes it once the handshake is complete, and stops the clock
 * while the relay itself is the one being slow (checking a password in a queue of checks): a client must get an
 * answer, never a silent close, for waiting on us.
 */
public final class HeadDeadline extends ChannelInboundHandlerAdapter {

    public static final String NAME = "head-deadline";

    private static final Logger log = LoggerFactory.getLogger(HeadDeadline.class);

    private final Duration deadline;
    private ScheduledFuture<?> task;
    private long remainingNanos;

    public HeadDeadline(Duration deadline) {
        this.deadline = deadline;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        start(ctx, deadline.toNanos());
    }

    private void start(ChannelHandlerContext ctx, long nanos) {
        task = ctx.executor()
                .schedule(
                        () -> {
                            log.debug(
                                    "{} did not finish its proxy handshake within {} ms; closing",
                                    ctx.channel(),
                                    deadline.toMillis());
                            ctx.close();
                        },
                        nanos,
                        TimeUnit.NANOSECONDS);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        task.cancel(false);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        task.cancel(false);
        ctx.fireChannelInactive();
    }

    /** The relay is working on the client's behalf: the client's time stands still until {@link #resume}. */
    public static void pause(ChannelHandlerContext ctx) {
        if (ctx.pipeline().get(NAME) instanceof HeadDeadline headDeadline && !headDeadline.task.isDone()) {
            headDeadline.remainingNanos = Math.max(0, headDeadline.task.getDelay(TimeUnit.NANOSECONDS));
            headDeadline.task.cancel(false);
        }
    }

    /** The client's turn again: the time it had left when {@link #pause} stopped the clock. */
    public static void resume(ChannelHandlerContext ctx) {
        if (ctx.pipeline().get(NAME) instanceof HeadDeadline headDeadline && headDeadline.task.isCancelled()) {
            headDeadline.start(ctx.pipeline().context(NAME), headDeadline.remainingNanos);
        }
    }

    /** The handshake is complete: the deadline no longer applies. */
    public static void met(ChannelHandlerContext ctx) {
        if (ctx.pipeline().get(NAME) != null) {
            ctx.pipeline().remove(NAME);
        }
    }
}
