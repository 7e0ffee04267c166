package io.pocketproxy.app;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where the data lives: shared by every command that touches the database. */
final class StorageOptions {

    @Option(
            names = "--data-dir",
            defaultValue = "./data",
            paramLabel = "DIR",
            description = "Data directory: embedded PostgreSQL, relay certificate (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(
            names = "--database-url",
            paramLabel = "URL",
            description = "External PostgreSQL instead of the embedded one: jdbc:postgresql://HOST/DB?user=U&password=P"
                    + " or postgresql://USER:PASSWORD@HOST:PORT/DB.")
    String databaseUrl;
}
