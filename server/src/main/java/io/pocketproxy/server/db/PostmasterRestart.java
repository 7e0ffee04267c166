package io.pocketproxy.server.db;

import io.zonky.test.db.postgres.util.LinuxUtils;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Starts a cluster's postmaster again after it died, exactly as it ran before: {@code pg_ctl restart} reads the
 * programs and options (port, durability, loopback only) from the {@code postmaster.opts} the dead postmaster
 * wrote. The pool's JDBC URL keeps working because the port is the same.
 *
 * <p>zonky's instance is not started again: it keeps its lock on the cluster and, at the server's stop, stops
 * whichever postmaster serves it. pg_ctl restart would stop a live postmaster first; it is called only once the old
 * one has gone, so it starts one and reports, within {@code startupWait}, whether it accepts connections.
 */
record PostmasterRestart(Path clusterDir, Path logFile, Duration startupWait) {

    private static final Duration PG_CTL_GRACE = Duration.ofSeconds(10);
    private static final int MAX_LOG_READ = 64 * 1024;

    /** Runs it; throws with the reason if the postmaster is not up within the wait. */
    void run() throws InterruptedException {
        List<String> command = new ArrayList<>();
        // As zonky runs its programs: PostgreSQL refuses to run as root, so a root server runs it in a user namespace.
        if (LinuxUtils.isUnshareAvailable()) {
            command.addAll(List.of("unshare", "-U"));
        }
        Path pgCtl = pgCtl();
        command.add(pgCtl.toString());
        command.addAll(List.of(
                "restart",
                "-D",
                clusterDir.toString(),
                "-w",
                "-t",
                Long.toString(startupWait.toSeconds()),
                "-m",
                "fast"));
        long logBefore = logSize();
        ProcessBuilder.Redirect log = ProcessBuilder.Redirect.appendTo(logFile.toFile());
        Process restart;
        try {
            restart = new ProcessBuilder(command)
                    .redirectOutput(log)
                    .redirectError(log)
                    .redirectInput(
                            ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + pgCtl + ": " + e.getMessage(), e);
        }
        if (!restart.waitFor(startupWait.plus(PG_CTL_GRACE).toMillis(), TimeUnit.MILLISECONDS)) {
            restart.destroyForcibly();
            throw new IllegalStateException("pg_ctl restart did not finish within "
                    + startupWait.plus(PG_CTL_GRACE).toSeconds() + " s");
        }
        if (restart.exitValue() != 0) {
            throw new IllegalStateException(
                    "pg_ctl restart failed (exit " + restart.exitValue() + ")" + lastComplaintSince(logBefore));
        }
    }

    private long logSize() {
        try {
            return Files.size(logFile);
        } catch (IOException e) {
            return 0;
        }
    }

    /**
     * PostgreSQL's last FATAL line in what this try wrote to its log, such as {@code configuration file ... contains
     * errors}, so that the server's own log says why without a trip to PostgreSQL's. Its log is terse (no DETAIL), so
     * the line names files and settings, not data.
     */
    private String lastComplaintSince(long offset) {
        try (var channel = Files.newByteChannel(logFile)) {
            channel.position(offset);
            String written =
                    new String(Channels.newInputStream(channel).readNBytes(MAX_LOG_READ), StandardCharsets.UTF_8);
            String complaint = null;
            for (String line : written.split("\n")) {
                int fatal = line.indexOf("FATAL:");
                if (fatal >= 0) {
                    complaint = line.substring(fatal).strip();
                }
            }
            return complaint == null ? "" : ": " + complaint;
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * pg_ctl beside the postgres program the dead postmaster ran: the first word of {@code postmaster.opts}, which is
     * {@code <program> "<option>" "<option>" ...}.
     */
    private Path pgCtl() {
        Path opts = clusterDir.resolve("postmaster.opts");
        try {
            String line = Files.readString(opts, StandardCharsets.UTF_8).strip();
            int firstOption = line.indexOf(" \"");
            Path postgres = Path.of(firstOption < 0 ? line : line.substring(0, firstOption));
            return postgres.resolveSibling("pg_ctl");
        } catch (IOException e) {
            throw new IllegalStateException(
                    "cannot read " + opts + ", which says how PostgreSQL ran: " + e.getMessage(), e);
        }
    }
}
