package io.pocketproxy.server.db;

import io.pocketproxy.link.Threads;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the embedded PostgreSQL's postmaster and starts it again when it dies (an OOM kill, an operator's
 * {@code kill}), on the same port and data, so the server carries on: while it is down the server rides it out as it
 * does any database outage, and its pool reconnects once it is back.
 *
 * <p>A postmaster that cannot be started again after {@link #RESTART_BACKOFF a few tries} is {@link #failure()
 * fatal}: a server without its database would limp (no sign-in, no usage written), so its command stops it and
 * exits non-zero. One look a second on a daemon thread; a restart runs on that thread, so looks do not pile up.
 */
final class PostgresSupervisor implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PostgresSupervisor.class);

    static final Duration LOOK_INTERVAL = Duration.ofSeconds(1);
    /** The pause before each try: the first at once, later ones give a passing cause (a full disk) time to clear. */
    static final List<Duration> RESTART_BACKOFF = List.of(Duration.ZERO, Duration.ofSeconds(2), Duration.ofSeconds(5));
    /** How long a dead postmaster may stay unreaped (a zombie) before PostgreSQL will let a new one start. */
    private static final Duration REAP_WAIT = Duration.ofSeconds(30);

    private final Path logFile;
    private final int port;
    private final PostmasterRestart restart;
    private final ScheduledExecutorService looks;
    private final CompletableFuture<String> failure = new CompletableFuture<>();
    private volatile PostmasterProcess postmaster;

    private PostgresSupervisor(PostmasterProcess postmaster, PostmasterRestart restart, int port) {
        this.postmaster = postmaster;
        this.restart = restart;
        this.logFile = restart.logFile();
        this.port = port;
        this.looks = Executors.newSingleThreadScheduledExecutor(Threads.daemon("postgres-supervisor"));
    }

    /** Starts watching the postmaster now serving {@code restart}'s cluster on {@code port}. */
    static PostgresSupervisor watch(PostmasterRestart restart, int port) {
        PostgresSupervisor supervisor =
                new PostgresSupervisor(PostmasterProcess.of(restart.clusterDir()), restart, port);
        supervisor.looks.scheduleWithFixedDelay(
                supervisor::look, LOOK_INTERVAL.toMillis(), LOOK_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        return supervisor;
    }

    /** Completes, with what went wrong, when PostgreSQL died and could not be started again. */
    CompletionStage<String> failure() {
        return failure;
    }

    private void look() {
        // Guarded as a whole: an unexpected error in one look must not end the looking.
        try {
            PostmasterProcess dead = postmaster;
            if (dead.running()) {
                return;
            }
            log.error(
                    "embedded PostgreSQL died: its postmaster (pid {}) exited without being asked to stop;"
                            + " starting it again on 127.0.0.1:{} (its own log is {})",
                    dead.pid(),
                    port,
                    logFile);
            startAgain(dead);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // closing
        } catch (RuntimeException e) {
            log.warn("could not check on embedded PostgreSQL", e);
        }
    }

    private void startAgain(PostmasterProcess dead) throws InterruptedException {
        if (!dead.awaitGone(REAP_WAIT)) {
            giveUp("its dead postmaster (pid " + dead.pid() + ") was not reaped within " + REAP_WAIT.toSeconds()
                    + " s, and PostgreSQL will not start while it is there");
            return;
        }
        String lastReason = "";
        for (int attempt = 1; attempt <= RESTART_BACKOFF.size(); attempt++) {
            Thread.sleep(RESTART_BACKOFF.get(attempt - 1));
            try {
                restart.run();
                postmaster = PostmasterProcess.of(restart.clusterDir());
                log.warn(
                        "embedded PostgreSQL is up again on 127.0.0.1:{} (pid {}, try {} of {})",
                        port,
                        postmaster.pid(),
                        attempt,
                        RESTART_BACKOFF.size());
                return;
            } catch (RuntimeException e) {
                lastReason = e.getMessage();
                log.warn(
                        "embedded PostgreSQL did not start again (try {} of {}): {}",
                        attempt,
                        RESTART_BACKOFF.size(),
                        lastReason);
            }
        }
        giveUp("it did not start again after " + RESTART_BACKOFF.size() + " tries (last: " + lastReason + ")");
    }

    private void giveUp(String why) {
        String message = "embedded PostgreSQL died and cannot be started again: " + why + "; see " + logFile
                + " for PostgreSQL's own account; the server stops rather than run without its database";
        log.error(message);
        looks.shutdown();
        failure.complete(message);
    }

    /** Stops watching, before the postmaster is stopped on purpose. Waits for a restart under way to finish. */
    @Override
    public void close() {
        looks.shutdownNow();
        try {
            if (!looks.awaitTermination(10, TimeUnit.SECONDS)) {
                log.warn("the embedded PostgreSQL's supervisor did not stop within 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
