package io.pocketproxy.server.db;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL that ships inside PocketProxy: real PostgreSQL binaries (zonky), a cluster kept in
 * {@code <data dir>/postgres} across restarts.
 *
 * <p>It is locked down as if it were a shared machine's database: it listens on loopback only, has no
 * Unix socket, and admits only the superuser with a random password kept in
 * {@code <data dir>/postgres.password} (mode 0600). Durability is on ({@code fsync}), because usage and
 * alerts must survive a power cut. PostgreSQL's own messages go to {@code <data dir>/postgres.log}.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {

    public static final String DATABASE = "pocketproxy";
    static final String SUPERUSER = "postgres";
    static final String CLUSTER_DIR = "postgres";
    static final String PASSWORD_FILE = "postgres.password";
    static final String LOG_FILE = "postgres.log";

    private static final Logger log = LoggerFactory.getLogger(EmbeddedPostgresServer.class);
    private static final Duration STARTUP_WAIT = Duration.ofSeconds(60);
    private static final Duration ORPHAN_STOP_WAIT = Duration.ofSeconds(30);

    private final EmbeddedPostgres postgres;
    private final DatabaseSettings settings;
    private final PostgresSupervisor supervisor;

    private EmbeddedPostgresServer(
            EmbeddedPostgres postgres, DatabaseSettings settings, PostgresSupervisor supervisor) {
        this.postgres = postgres;
        this.settings = settings;
        this.supervisor = supervisor;
    }

    /**
     * Starts the cluster in {@code dataDir}, creating it on first use. The caller must hold the
     * {@link DataDirLock} of {@code dataDir}.
     */
    public static EmbeddedPostgresServer start(Path dataDir) {
        Path clusterDir = dataDir.resolve(CLUSTER_DIR);
        Path passwordFile = dataDir.resolve(PASSWORD_FILE);
        try {
            boolean fresh = !Files.exists(clusterDir.resolve("postgresql.conf"));
            if (fresh) {
                requireEmptyOrMissing(clusterDir);
                writeSecret(passwordFile, newPassword());
            } else if (!Files.exists(passwordFile)) {
                throw new IllegalStateException(
                        passwordFile + " is missing: the database in " + clusterDir + " cannot be opened without it");
            }
            stopOrphanedPostmaster(clusterDir);
            String password =
                    Files.readString(passwordFile, StandardCharsets.UTF_8).strip();

            ProcessBuilder.Redirect postgresLog = ProcessBuilder.Redirect.appendTo(
                    privateFile(dataDir.resolve(LOG_FILE)).toFile());
            PostgresBinaries binaries = PostgresBinaries.in(dataDir);
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setPgBinaryResolver(binaries)
                    .setOverrideWorkingDirectory(binaries.workingDirectory())
                    .setDataDirectory(clusterDir)
                    .setOutputRedirector(postgresLog)
                    .setErrorRedirector(postgresLog)
                    .setCleanDataDirectory(false)
                    .setRegisterShutdownHook(false)
                    .setPGStartupWait(STARTUP_WAIT)
                    // Comes after zonky's own "-F" (fsync off) on the command line, so it wins.
                    .setServerConfig("fsync", "on")
                    .setServerConfig("synchronous_commit", "on")
                    .setServerConfig("full_page_writes", "on")
                    .setServerConfig("listen_addresses", "127.0.0.1,::1")
                    .setServerConfig("unix_socket_directories", "")
                    .setServerConfig("password_encryption", "scram-sha-256")
                    // Its log must not quote data: no DETAIL ("Failing row contains ...", with hashes and secrets).
                    .setServerConfig("log_error_verbosity", "terse")
                    .setConnectConfig("password", password)
                    .setDataDirectoryCustomizer(directory -> writeHostBasedAccess(directory.toPath()));
            if (fresh) {
                // zonky passes locale settings to initdb as --key=value: the superuser's password goes
                // in from a file, never on a command line.
                builder.setLocaleConfig("pwfile", passwordFile.toString());
                builder.setLocaleConfig("locale", "C");
            }
            EmbeddedPostgres postgres = startLogged(builder, dataDir.resolve(LOG_FILE));
            DatabaseSettings settings = new DatabaseSettings(
                    "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/" + DATABASE, SUPERUSER, password);
            try {
                createDatabaseIfMissing(postgres);
                PostgresSupervisor supervisor = PostgresSupervisor.watch(
                        new PostmasterRestart(clusterDir, dataDir.resolve(LOG_FILE), STARTUP_WAIT), postgres.getPort());
                log.info(
                        "embedded PostgreSQL is up on 127.0.0.1:{} with its data in {}",
                        postgres.getPort(),
                        clusterDir);
                return new EmbeddedPostgresServer(postgres, settings, supervisor);
            } catch (RuntimeException e) {
                postgres.close();
                throw e;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start embedded PostgreSQL in " + clusterDir, e);
        }
    }

    private static EmbeddedPostgres startLogged(EmbeddedPostgres.Builder builder, Path logFile) throws IOException {
        try {
            return builder.start();
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("embedded PostgreSQL did not start; its own log is " + logFile, e);
        }
    }

    public DatabaseSettings settings() {
        return settings;
    }

    /**
     * Completes, with what went wrong, if PostgreSQL died and could not be started again (it is started again when
     * it can: {@link PostgresSupervisor}).
     */
    public CompletionStage<String> failure() {
        return supervisor.failure();
    }

    @Override
    public void close() throws IOException {
        // First, so that stopping PostgreSQL on purpose is not taken for a death.
        supervisor.close();
        postgres.close();
    }

    private static void requireEmptyOrMissing(Path clusterDir) throws IOException {
        if (Files.isDirectory(clusterDir)) {
            try (var entries = Files.list(clusterDir)) {
                if (entries.findAny().isPresent()) {
                    throw new IllegalStateException(clusterDir + " holds an incomplete database (no postgresql.conf),"
                            + " probably from an interrupted first start; remove it to start afresh");
                }
            }
        }
    }

    /**
     * A server killed without a chance to stop its PostgreSQL leaves the postmaster running, which would
     * make every later start fail. We own the data directory (the caller holds its lock), so a postmaster
     * still serving our cluster is an orphan: ask it to shut down.
     */
    private static void stopOrphanedPostmaster(Path clusterDir) throws IOException {
        Path pidFile = clusterDir.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return;
        }
        List<String> lines = Files.readAllLines(pidFile, StandardCharsets.US_ASCII);
        Optional<ProcessHandle> postmaster =
                lines.isEmpty() ? Optional.empty() : parsePid(lines.get(0)).flatMap(ProcessHandle::of);
        if (postmaster.isEmpty() || !servesCluster(postmaster.get(), clusterDir)) {
            return; // stale pid file: PostgreSQL itself discards it on start
        }
        ProcessHandle process = postmaster.get();
        log.warn("stopping PostgreSQL (pid {}) left running by a server that did not shut down", process.pid());
        process.destroy(); // SIGTERM: a smart shutdown; its old clients died with their server
        try {
            process.onExit().get(ORPHAN_STOP_WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("PostgreSQL left running on " + clusterDir + " (pid " + process.pid()
                    + ") did not stop within " + ORPHAN_STOP_WAIT.toSeconds() + " s; stop it by hand");
        }
    }

    private static boolean servesCluster(ProcessHandle process, Path clusterDir) {
        return process.info()
                .commandLine()
                .map(line -> line.contains("postgres") && line.contains(clusterDir.toString()))
                .orElse(false);
    }

    private static Optional<Long> parsePid(String line) {
        try {
            return Optional.of(Long.parseLong(line.strip()));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** Rewritten at every start: password logins over loopback TCP, nothing else. */
    private static void writeHostBasedAccess(Path clusterDir) {
        String rules = """
                # Written by PocketProxy at every start; edits here are overwritten.
                # TYPE  DATABASE  USER      ADDRESS       METHOD
                host    all       postgres  127.0.0.1/32  scram-sha-256
                host    all       postgres  ::1/128       scram-sha-256
                """;
        try {
            Files.writeString(clusterDir.resolve("pg_hba.conf"), rules, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write pg_hba.conf in " + clusterDir, e);
        }
    }

    private static void createDatabaseIfMissing(EmbeddedPostgres postgres) {
        try (Connection connection = postgres.getPostgresDatabase().getConnection();
                PreparedStatement exists = connection.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
            exists.setString(1, DATABASE);
            try (ResultSet rows = exists.executeQuery()) {
                if (rows.next()) {
                    return;
                }
            }
            try (Statement create = connection.createStatement()) {
                create.execute("CREATE DATABASE " + DATABASE + " ENCODING 'UTF8' TEMPLATE template0");
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + DATABASE + " in embedded PostgreSQL", e);
        }
    }

    private static String newPassword() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /**
     * {@code file}, created or made readable by its owner alone (0600): PostgreSQL's log names users, databases and
     * the statements that failed.
     */
    private static Path privateFile(Path file) throws IOException {
        Set<PosixFilePermission> ownerOnly = PosixFilePermissions.fromString("rw-------");
        if (Files.exists(file)) {
            Files.setPosixFilePermissions(file, ownerOnly);
        } else {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(ownerOnly));
        }
        return file;
    }

    private static void writeSecret(Path file, String secret) throws IOException {
        Files.createDirectories(file.getParent());
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, secret + "\n", StandardCharsets.UTF_8);
    }
}
