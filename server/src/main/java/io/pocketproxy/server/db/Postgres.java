package io.pocketproxy.server.db;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** The PostgreSQL a server uses: the embedded cluster in its data directory, or an external one. */
public final class Postgres implements AutoCloseable {

    private final DatabaseSettings settings;
    private final EmbeddedPostgresServer embedded;

    private Postgres(DatabaseSettings settings, EmbeddedPostgresServer embedded) {
        this.settings = settings;
        this.embedded = embedded;
    }

    /** Starts the embedded cluster in {@code dataDir} unless {@code databaseUrl} names an external server. */
    public static Postgres open(Path dataDir, String databaseUrl) {
        if (databaseUrl != null) {
            return new Postgres(DatabaseUrls.parse(databaseUrl), null);
        }
        EmbeddedPostgresServer embedded = EmbeddedPostgresServer.start(dataDir);
        return new Postgres(embedded.settings(), embedded);
    }

    public DatabaseSettings settings() {
        return settings;
    }

    /**
     * Completes, with what went wrong, if the embedded PostgreSQL died and could not be started again; never for an
     * external server, whose outages the server rides out until it is back.
     */
    public CompletionStage<String> failure() {
        return embedded != null ? embedded.failure() : new CompletableFuture<>();
    }

    @Override
    public void close() throws IOException {
        if (embedded != null) {
            embedded.close();
        }
    }
}
