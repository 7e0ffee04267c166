package io.pocketproxy.app;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import org.slf4j.LoggerFactory;

/**
 * How a long-running command ends: it serves until SIGTERM or Ctrl-C, then closes its parts in the order
 * given before the JVM exits, so usage is flushed and PostgreSQL stopped cleanly. Or it ends because a part
 * reports a fatal failure: then it closes its parts itself and fails with that message, which makes the
 * command exit non-zero.
 */
final class UntilStopped {

    private UntilStopped() {}

    static void await(AutoCloseable... parts) throws InterruptedException {
        await(new CompletableFuture<>(), parts);
    }

    /** Serves until a signal, or until {@code fatal} completes: then throws {@link IllegalStateException}. */
    static void await(CompletionStage<String> fatal, AutoCloseable... parts) throws InterruptedException {
        CompletableFuture<String> ended = new CompletableFuture<>();
        Thread hook = new Thread(
                () -> {
                    closeAll(parts);
                    ended.complete(null);
                },
                "shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        fatal.thenAccept(ended::complete);
        String failure;
        try {
            failure = ended.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
        if (failure == null) {
            return; // stopped by a signal: the hook closed everything and the JVM is exiting
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            return; // a signal came at the same time: the hook is closing everything
        }
        closeAll(parts);
        throw new IllegalStateException(failure);
    }

    private static void closeAll(AutoCloseable... parts) {
        for (AutoCloseable part : parts) {
            try {
                part.close();
            } catch (Exception e) {
                LoggerFactory.getLogger(UntilStopped.class)
                        .warn("{} did not stop cleanly", part.getClass().getSimpleName(), e);
            }
        }
    }
}
