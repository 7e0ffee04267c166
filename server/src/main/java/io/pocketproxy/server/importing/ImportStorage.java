package io.pocketproxy.server.importing;

import io.pocketproxy.server.ServerConfig;
import io.pocketproxy.server.db.DataDirLock;
import io.pocketproxy.server.db.Database;
import io.pocketproxy.server.db.Postgres;
import io.pocketproxy.server.devices.RelayAddress;
import java.util.ArrayDeque;
import java.util.Deque;
import org.jdbi.v3.core.Jdbi;

/**
 * Our database, as {@code migrate} opens it, for the writing part of an import. The embedded one needs the data
 * directory, which a running server holds: then this fails with {@link DataDirLock.DataDirInUseException}, which
 * names that server. An external one is opened beside a server that may keep running (its relays hear of the
 * changes by NOTIFY), so the data directory is not locked; the relay's certificate is only read from it.
 */
public final class ImportStorage implements AutoCloseable {

    private final Deque<AutoCloseable> parts;
    private final Jdbi jdbi;
    private final RelayAddress relay;

    private ImportStorage(Deque<AutoCloseable> parts, Jdbi jdbi, RelayAddress relay) {
        this.parts = parts;
        this.jdbi = jdbi;
        this.relay = relay;
    }

    public static ImportStorage open(ServerConfig config) {
        Deque<AutoCloseable> parts = new ArrayDeque<>();
        try {
            if (config.embeddedDatabase()) {
                parts.push(DataDirLock.acquire(config.dataDir()));
            }
            Postgres postgres = Postgres.open(config.dataDir(), config.databaseUrl());
            parts.push(postgres);
            Database database = Database.open(postgres.settings(), null);
            parts.push(database);
            database.migrate();
            RelayAddress relay = new RelayAddress(
                    config.advertisedHost(),
                    config.relay().linkPort(),
                    config.relayCertificate().fingerprint());
            return new ImportStorage(parts, database.jdbi(), relay);
        } catch (RuntimeException | Error e) {
            closeAll(parts);
            throw e;
        }
    }

    public Jdbi jdbi() {
        return jdbi;
    }

    /** Where the devices created will link to: the parts of their pairing strings besides the token. */
    public RelayAddress relay() {
        return relay;
    }

    @Override
    public void close() {
        closeAll(parts);
    }

    private static void closeAll(Deque<AutoCloseable> parts) {
        while (!parts.isEmpty()) {
            try {
                parts.pop().close();
            } catch (Exception e) {
                org.slf4j.LoggerFactory.getLogger(ImportStorage.class).warn("could not close cleanly", e);
            }
        }
    }
}
