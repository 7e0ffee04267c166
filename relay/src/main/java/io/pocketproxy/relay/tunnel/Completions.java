package io.pocketproxy.relay.tunnel;

import io.netty.channel.ChannelHandlerContext;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;

/**
 * How a protocol step goes on once a future it waited for (a sign-in, a tunnel) settles. A future swallows
 * what its callbacks throw; here a bug in the step reaches the channel's pipeline instead, whose last handler
 * logs it and closes the connection, rather than leaving a customer waiting for an answer that never comes.
 */
public final class Completions {

    private Completions() {}

    /** Runs {@code step} with the future's value or failure, on whichever thread settles it (the caller's loop). */
    public static <T> void then(
            ChannelHandlerContext ctx, CompletableFuture<T> future, BiConsumer<? super T, ? super Throwable> step) {
        future.whenComplete((value, failure) -> {
            try {
                step.accept(value, failure);
            } catch (RuntimeException bug) {
                ctx.fireExceptionCaught(bug);
            }
        });
    }
}
