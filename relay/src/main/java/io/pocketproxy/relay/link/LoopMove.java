package io.pocketproxy.relay.link;

import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.handler.timeout.IdleStateHandler;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Moves a customer's channel onto its device link's event loop, so that the customer socket and its device
 * stream share one thread: the tunnel's bytes then cross no thread, each write is a plain call, and
 * back-pressure is decided where both sides' state lives. A peer relay's link for a device (its forwarded
 * customers' streams) moves to that device's link loop for the same reason.
 *
 * <p>Netty supports this directly ({@code deregister()}, then {@code register} with the new loop); what it
 * cannot move are timers already scheduled on the old loop. The one timer a customer channel can have by
 * then is the idle timeout of a tunnel it had before (a kept-alive HTTP customer going to another origin),
 * which is replaced by a fresh one on the new loop. (The handshake deadline is met, and so gone, before a
 * tunnel opens; the first tunnel's idle timer starts on the link's loop.)
 */
public final class LoopMove {

    private LoopMove() {}

    /**
     * Moves {@code channel}, which must not be reading, to {@code target}; call on its current loop. Completes on
     * {@code target} once the channel is registered there, or fails when it closed meanwhile.
     */
    public static CompletableFuture<Void> moveTo(Channel channel, EventLoop target) {
        CompletableFuture<Void> moved = new CompletableFuture<>();
        if (channel.eventLoop() == target) {
            moved.complete(null);
            return moved;
        }
        ChannelPipeline pipeline = channel.pipeline();
        IdleStateHandler idle = pipeline.get(IdleStateHandler.class);
        String idleName = idle == null ? null : pipeline.context(idle).name();
        if (idle != null) {
            pipeline.remove(idle); // cancels its timer here, on the loop that scheduled it
        }
        // deregister() takes effect after the current read: nothing of this channel runs on the old loop afterwards.
        channel.deregister().addListener(deregistered -> {
            if (!deregistered.isSuccess() || !channel.isOpen()) {
                moved.completeExceptionally(new ClosedChannelException());
                return;
            }
            target.register(channel).addListener(registered -> {
                if (!registered.isSuccess()) {
                    channel.close();
                    moved.completeExceptionally(registered.cause());
                    return;
                }
                if (idle != null) {
                    pipeline.addFirst(idleName, sameTimeoutAs(idle));
                }
                moved.complete(null);
            });
        });
        return moved;
    }

    private static IdleStateHandler sameTimeoutAs(IdleStateHandler idle) {
        return new IdleStateHandler(
                idle.getReaderIdleTimeInMillis(),
                idle.getWriterIdleTimeInMillis(),
                idle.getAllIdleTimeInMillis(),
                TimeUnit.MILLISECONDS);
    }
}
