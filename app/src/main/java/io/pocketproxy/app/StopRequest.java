package io.pocketproxy.app;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Ctrl-C (or SIGTERM) for a command that must stop between two units of work rather than anywhere: the signal only
 * asks, and the JVM waits (up to {@link #GRACE}) for the command to commit what it finished, close the database and
 * print its report. Closed by the command when it is done, which removes the hook.
 */
final class StopRequest implements AutoCloseable {

    static final Duration GRACE = Duration.ofSeconds(60);

    private final CountDownLatch finished = new CountDownLatch(1);
    private final Thread hook = new Thread(this::stopAndWait, "stop-request");
    private volatile boolean requested;

    private StopRequest() {}

    static StopRequest onSignal() {
        StopRequest request = new StopRequest();
        Runtime.getRuntime().addShutdownHook(request.hook);
        return request;
    }

    boolean requested() {
        return requested;
    }

    private void stopAndWait() {
        requested = true;
        try {
            finished.await(GRACE.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        finished.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running: it returns now that we are finished
        }
    }
}
