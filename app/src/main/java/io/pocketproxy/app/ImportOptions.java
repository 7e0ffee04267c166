package io.pocketproxy.app;

import io.pocketproxy.server.ServerConfig;
import io.pocketproxy.server.importing.ImportMode;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** What both {@code import legacy} and {@code import csv} take: where to write, for whom, and how. */
final class ImportOptions {

    @Mixin
    StorageOptions storage = new StorageOptions();

    @Option(
            names = "--owner",
            paramLabel = "EMAIL",
            description = "The existing operator who will own what is imported (required; checked before anything"
                    + " else, so it may come from POCKETPROXY_OWNER).")
    String owner;

    @Option(
            names = "--dry-run",
            description = "Report exactly what would happen, and change nothing (default: ${DEFAULT-VALUE}).")
    boolean dryRun;

    @Option(
            names = "--update",
            description = "Overwrite the owner's connections the source names again (password, limit, active, device;"
                    + " not usage); without it they are skipped. Never another operator's (default: ${DEFAULT-VALUE}).")
    boolean update;

    @Option(
            names = "--strict",
            description = "Stop at the first bad row: a bad source imports nothing, a row that cannot be written stops"
                    + " the import after the rows before it (default: ${DEFAULT-VALUE}).")
    boolean strict;

    @Option(
            names = "--pairing-out",
            paramLabel = "FILE",
            description = "Write each device created to FILE (mode 0600) as it is created: its name, a tab, its pairing"
                    + " string. Without it they are printed once at the end.")
    Path pairingOut;

    @Option(
            names = "--public-host",
            paramLabel = "HOST",
            description = "Host name in the pairing strings: the server's --public-host (default: as for server).")
    String publicHost;

    @Option(
            names = "--link-port",
            paramLabel = "PORT",
            description = "Link port in the pairing strings: the server's --link-port (default: ${DEFAULT-VALUE}).")
    int linkPort = ServerOptions.DEFAULTS.relay().linkPort();

    @Option(
            names = "--hash-threads",
            paramLabel = "N",
            description = "Threads hashing passwords (default: every core with the embedded database, whose server is"
                    + " stopped; half of them with --database-url, so a running server still checks sign-ins).")
    Integer hashThreads;

    /** How often progress is written when the output is not a terminal; tests shorten it. */
    @Option(names = "--progress-interval", hidden = true, converter = DurationConverter.class)
    Duration progressInterval = Duration.ofSeconds(5);

    ServerConfig storageConfig() {
        return ServerConfig.builder(storage.dataDir)
                .databaseUrl(storage.databaseUrl)
                .publicHost(publicHost)
                .linkPort(linkPort)
                .build();
    }

    ImportMode mode() {
        return new ImportMode(dryRun, update, strict);
    }

    int hashThreads() {
        int cores = Runtime.getRuntime().availableProcessors();
        if (hashThreads != null) {
            if (hashThreads < 1) {
                throw new IllegalArgumentException("--hash-threads: " + hashThreads + " (expected: 1 or more)");
            }
            return hashThreads;
        }
        return storage.databaseUrl == null ? cores : Math.max(1, cores / 2);
    }
}
