package io.pocketproxy.app;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where the data lives: shared by every command that touches the database. */
final class StorageOptions {

    static final Path DEFAULT_DATA_DIR = Path.of("./data");

    @Option(
            names = "--data-dir",
            paramLabel = "DIR",
            description = "Data directory: embedded PostgreSQL, relay certificate (default: ${DEFAULT-VALUE}).")
    Path dataDir = DEFAULT_DATA_DIR;

    @Option(
            names = "--database-url",
            paramLabel = "URL",
            description = "External PostgreSQL instead of the embedded one: jdbc:postgresql://HOST/DB?user=U&password=P"
                    + " or postgresql://USER:PASSWORD@HOST:PORT/DB.")
    String databaseUrl;
}
