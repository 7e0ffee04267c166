package io.pocketproxy.testkit;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real PostgreSQL of the test's own, for the bad days: unlike {@link TestPostgres}, which every test class of
 * the JVM shares, this one may be stopped and started again on the same port and data, hung (every process of it
 * stopped with SIGSTOP, as a frozen machine would) and resumed, or killed with SIGKILL.
 */
public final class OwnPostgres implements AutoCloseable {

    private static final String DATABASE = "pocketproxy";

    private final Path clusterDir;
    private final int port;
    private EmbeddedPostgres postgres;

    private OwnPostgres(Path clusterDir, int port) {
        this.clusterDir = clusterDir;
        this.port = port;
    }

    /** A new cluster on a free port, with an empty database for the product. */
    public static OwnPostgres start() {
        try {
            OwnPostgres own = new OwnPostgres(Files.createTempDirectory("pocketproxy-own-pg"), freePort());
            own.startAgain();
            try (Connection connection = DriverManager.getConnection(own.url("postgres"));
                    Statement statement = connection.createStatement()) {
                statement.execute("CREATE DATABASE " + DATABASE);
            }
            return own;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start a PostgreSQL of the test's own", e);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create the test's database", e);
        }
    }

    /** The product's database, as {@code --database-url} takes it. */
    public String databaseUrl() {
        return url(DATABASE);
    }

    /** Stops the server as an upgrade would (a fast shutdown: sessions end, the data is kept). */
    public synchronized void stop() {
        try {
            postgres.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot stop the test's PostgreSQL", e);
        }
    }

    /** Starts it again on the same port and data, after {@link #stop} or {@link #kill}. */
    public synchronized void startAgain() {
        try {
            postgres = EmbeddedPostgres.builder()
                    .setDataDirectory(clusterDir)
                    .setCleanDataDirectory(false)
                    .setPort(port)
                    .setLocaleConfig("locale", "C")
                    // Durable as the product's own (zonky's defaults trade it for speed): a commit survives a kill.
                    .setServerConfig("fsync", "on")
                    .setServerConfig("synchronous_commit", "on")
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the test's PostgreSQL", e);
        }
    }

    /** Freezes every process of the server: connections stay open and nothing answers, as on a hung machine. */
    public void hang() {
        signal("-STOP");
    }

    /** Undoes {@link #hang}. */
    public void resume() {
        signal("-CONT");
    }

    /** Kills every process of the server with SIGKILL: no shutdown, the data as a crash leaves it. */
    public synchronized void kill() {
        List<Long> processes = processes();
        signal("-KILL");
        processes.forEach(pid ->
                ProcessHandle.of(pid).ifPresent(process -> process.onExit().join()));
        try {
            // Gives up zonky's lock on the data directory; its pg_ctl stop finds nothing left to stop.
            postgres.close();
        } catch (IOException | RuntimeException e) {
            // Nothing was running: expected.
        }
    }

    /** The postmaster and its children, as the postmaster's pid file names it. */
    private List<Long> processes() {
        long postmaster;
        try {
            postmaster = Long.parseLong(Files.readAllLines(clusterDir.resolve("postmaster.pid"), StandardCharsets.UTF_8)
                    .getFirst()
                    .strip());
        } catch (IOException e) {
            throw new UncheckedIOException("the test's PostgreSQL is not running", e);
        }
        List<Long> pids = new ArrayList<>();
        pids.add(postmaster);
        ProcessHandle.of(postmaster).ifPresent(handle -> handle.descendants().forEach(child -> pids.add(child.pid())));
        return pids;
    }

    private void signal(String signal) {
        List<String> command = new ArrayList<>(List.of("kill", signal));
        processes().forEach(pid -> command.add(Long.toString(pid)));
        try {
            Process kill = new ProcessBuilder(command).inheritIO().start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private String url(String database) {
        return "jdbc:postgresql://localhost:" + port + "/" + database + "?user=postgres";
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** Stops the server (resuming it first if it hangs) and deletes its data. */
    @Override
    public synchronized void close() {
        try {
            if (Files.exists(clusterDir.resolve("postmaster.pid"))) {
                signal("-CONT");
            }
        } catch (RuntimeException e) {
            // Not running (killed): nothing to resume.
        }
        try {
            postgres.close();
        } catch (IOException | RuntimeException e) {
            // Killed: pg_ctl finds nothing to stop.
        }
        try (Stream<Path> paths = Files.walk(clusterDir)) {
            paths.sorted(Comparator.reverseOrder())
                    .forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
