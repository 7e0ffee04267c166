package io.pocketproxy.server.db;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The postmaster of a running cluster, as its {@code postmaster.pid} names it: whether it still runs, and waiting
 * until it has gone for good.
 *
 * <p>The postmaster is not our child (pg_ctl starts it and exits), so when it dies it stays a zombie until the
 * machine's init reaps it, which in a container may take seconds. A zombie counts as dead here, but PostgreSQL's
 * own check of {@code postmaster.pid} ({@code kill(pid, 0)}) still sees it, and refuses to start a new postmaster
 * until it is reaped: {@link #awaitGone} waits for that.
 */
record PostmasterProcess(ProcessHandle handle) {

    private static final Duration GONE_POLL = Duration.ofMillis(100);

    /** The postmaster serving {@code clusterDir} now; fails if its pid file is missing or names no process. */
    static PostmasterProcess of(Path clusterDir) {
        Path pidFile = clusterDir.resolve("postmaster.pid");
        try {
            List<String> lines = Files.readAllLines(pidFile, StandardCharsets.US_ASCII);
            long pid = Long.parseLong(lines.getFirst().strip());
            return new PostmasterProcess(ProcessHandle.of(pid)
                    .orElseThrow(
                            () -> new IllegalStateException(pidFile + " names pid " + pid + ", which is not running")));
        } catch (NoSuchFileException e) {
            throw new IllegalStateException(pidFile + " is missing: PostgreSQL is not running", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + pidFile, e);
        } catch (NumberFormatException | java.util.NoSuchElementException e) {
            throw new IllegalStateException(pidFile + " does not start with a pid", e);
        }
    }

    long pid() {
        return handle.pid();
    }

    /** Alive and not a zombie. ({@link ProcessHandle#isAlive} also guards against a reused pid.) */
    boolean running() {
        return handle.isAlive() && !zombie();
    }

    /**
     * Waits until the process is reaped, so that a new postmaster may take the cluster; false if it is still there
     * after {@code atMost}.
     */
    boolean awaitGone(Duration atMost) throws InterruptedException {
        long deadline = System.nanoTime() + atMost.toNanos();
        while (handle.isAlive()) {
            if (System.nanoTime() - deadline >= 0) {
                return false;
            }
            Thread.sleep(GONE_POLL);
        }
        return true;
    }

    /** Linux's {@code /proc/<pid>/stat} gives the state after the command's closing parenthesis; Z is a zombie. */
    private boolean zombie() {
        try {
            String stat =
                    Files.readString(Path.of("/proc", Long.toString(handle.pid()), "stat"), StandardCharsets.US_ASCII);
            int end = stat.lastIndexOf(')');
            return end > 0 && end + 2 < stat.length() && stat.charAt(end + 2) == 'Z';
        } catch (IOException e) {
            return false; // no /proc (not Linux), or gone this instant: isAlive answers
        }
    }
}
