package io.pocketproxy.server.importing;

import io.pocketproxy.link.PairingString;
import io.pocketproxy.link.TokenDigest;
import io.pocketproxy.relay.directory.Change;
import io.pocketproxy.relay.directory.ConnectionType;
import io.pocketproxy.server.changes.ChangeAnnouncer;
import io.pocketproxy.server.devices.DeviceService;
import io.pocketproxy.server.devices.RelayAddress;
import io.pocketproxy.server.secrets.Secrets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;

/**
 * Writes resolved rows into our database for one operator, in transactions of {@value #BATCH} rows: an import
 * stopped midway keeps what it committed, and a re-run skips those usernames. The report counts a row, and
 * {@code --pairing-out} gets a new device's line, only once its transaction has committed ({@link UncommittedRows}).
 * A dry run writes everything in one transaction and rolls it back, so it meets exactly the conflicts a real run
 * would. Every change the relays of a running server must apply is announced as the API announces it.
 */
public final class ImportWriter {

    static final int BATCH = 50;

    private final Jdbi jdbi;
    private final UUID ownerId;
    private final RelayAddress relay;
    private final PairingOut pairingOut;
    private final ChangeAnnouncer announcer = new ChangeAnnouncer();
    private final ImportMode mode;

    /** @param pairingOut where pairing strings go once their devices are committed; null to list them in the report */
    public ImportWriter(Jdbi jdbi, UUID ownerId, RelayAddress relay, PairingOut pairingOut, ImportMode mode) {
        this.jdbi = jdbi;
        this.ownerId = ownerId;
        this.relay = relay;
        this.pairingOut = pairingOut;
        this.mode = mode;
    }

    /** The id of the operator {@code email} names, or a message saying none does. */
    public static UUID ownerId(Jdbi jdbi, String email) {
        if (email == null || email.isBlank()) {
            throw new IllegalArgumentException(
                    "--owner: missing (expected: the email of the operator who will own" + " what is imported)");
        }
        return jdbi.withHandle(handle -> handle.createQuery("SELECT id FROM users WHERE email = lower(:email)")
                        .bind("email", email.strip())
                        .mapTo(UUID.class)
                        .findOne())
                .orElseThrow(() -> new IllegalArgumentException(
                        "--owner: no user has the email " + email.strip() + " (expected: an existing operator's)"));
    }

    /**
     * Writes {@code rows}, counting each in {@code report}; returns early when {@code stop} says so (the rows before
     * are committed) or, with {@code strict}, at the first row that fails (likewise).
     */
    public void write(List<ResolvedRow> rows, ImportReport report, Progress progress, BooleanSupplier stop) {
        progress.start(mode.dryRun() ? "checking" : "writing", rows.size());
        UncommittedRows uncommitted = new UncommittedRows();
        try (Handle handle = jdbi.open()) {
            handle.begin();
            int done = 0;
            int inBatch = 0;
            boolean stopped = false;
            for (ResolvedRow row : rows) {
                if (stop.getAsBoolean()) {
                    report.interrupted();
                    break;
                }
                handle.savepoint("row");
                uncommitted.beginRow();
                try {
                    write(handle, row, uncommitted);
                    handle.releaseSavepoint("row");
                } catch (RowFailure | UnableToExecuteStatementException e) {
                    handle.rollbackToSavepoint("row");
                    uncommitted.rollBackRow();
                    report.failed(
                            row.row(), e instanceof RowFailure ? e.getMessage() : "not written: " + e.getMessage());
                    stopped = mode.strict();
                }
                progress.advance(++done);
                if (stopped) {
                    break;
                }
                if (++inBatch == BATCH && !mode.dryRun()) {
                    handle.commit();
                    uncommitted.committed(report, pairingOut);
                    handle.begin();
                    inBatch = 0;
                }
            }
            if (mode.dryRun()) {
                handle.rollback();
            } else {
                handle.commit();
            }
            uncommitted.committed(report, pairingOut);
        } finally {
            progress.finish();
        }
    }

    private void write(Handle handle, ResolvedRow resolved, UncommittedRows uncommitted) {
        ImportRow row = resolved.row();
        Optional<Existing> existing = handle.createQuery("""
                        SELECT id, owner_id, type, device_id, bandwidth_limit, active, password_hash
                          FROM proxy_connections WHERE username = :username FOR UPDATE""")
                .bind("username", row.username())
                .map((rows, ctx) -> new Existing(
                        rows.getObject("id", UUID.class),
                        rows.getObject("owner_id", UUID.class),
                        ConnectionType.valueOf(rows.getString("type")),
                        rows.getObject("device_id", UUID.class),
                        rows.getLong("bandwidth_limit"),
                        rows.getBoolean("active"),
                        rows.getString("password_hash")))
                .findOne();
        if (existing.isPresent() && !existing.get().ownerId().equals(ownerId)) {
            // Usernames are unique across operators: this customer is someone else's, and stays theirs.
            throw new RowFailure("the username belongs to another operator's connection (expected: a new username)");
        }
        if (existing.isEmpty() && resolved.outcome() == PasswordOutcome.DEFERRED) {
            throw new RowFailure("was here when the import began and is gone now (expected: run the import again)");
        }
        if (existing.isPresent() && !mode.update()) {
            uncommitted.count(
                    counted -> counted.skipped(row, "already here (--update to overwrite it from the source)"));
            return;
        }
        if (existing.isPresent()) {
            update(handle, existing.get(), resolved, uncommitted);
            return;
        }
        UUID deviceId = device(handle, row.device(), uncommitted);
        // The old system's bandwidth_used is a starting balance, not traffic: it counts against the limit, but no
        // usage_buckets row is written for it, since we do not know when it moved and the charts would show months
        // of it as a spike at the hour of the import. The charts' "used so far" line starts from it all the same.
        handle.createUpdate("""
                        INSERT INTO proxy_connections
                               (owner_id, device_id, type, username, password_hash, active, bandwidth_limit, bandwidth_used)
                        VALUES (:owner, :device, :type, :username, :hash, :active, :limit, :used)""")
                .bind("owner", ownerId)
                .bind("device", deviceId)
                .bind("type", row.type().name())
                .bind("username", row.username())
                .bind("hash", resolved.hash())
                .bind("active", row.active() && resolved.outcome() != PasswordOutcome.NONE)
                .bind("limit", row.bandwidthLimit())
                .bind("used", row.bandwidthUsed())
                .execute();
        uncommitted.count(counted -> counted.written(resolved, false));
    }

    /**
     * {@code --update}: the source's password, limit, active flag and device. Usage is left alone: our relays have
     * counted since the first import, and the old system's figure would overwrite that. A row without any password
     * keeps the one it has here.
     */
    private void update(Handle handle, Existing existing, ResolvedRow resolved, UncommittedRows uncommitted) {
        ImportRow row = resolved.row();
        if (existing.type() != row.type()) {
            throw new RowFailure("is " + existing.type() + " here and " + row.type() + " in the source (expected:"
                    + " the same type; delete the connection here to import it again)");
        }
        boolean keepPassword = resolved.outcome() == PasswordOutcome.NONE;
        String hash = keepPassword ? existing.hash() : resolved.hash();
        boolean active = keepPassword ? existing.active() : row.active();
        UUID deviceId = device(handle, row.device(), uncommitted);
        handle.createUpdate("""
                        UPDATE proxy_connections
                           SET password_hash = :hash, bandwidth_limit = :limit, active = :active, device_id = :device,
                               updated_at = now()
                         WHERE id = :id""")
                .bind("hash", hash)
                .bind("limit", row.bandwidthLimit())
                .bind("active", active)
                .bind("device", deviceId)
                .bind("id", existing.id())
                .execute();
        Map<Change.Kind, Boolean> changed = new HashMap<>();
        changed.put(Change.Kind.CONNECTION_PASSWORD, !hash.equals(existing.hash()));
        changed.put(Change.Kind.CONNECTION_LIMIT, row.bandwidthLimit() != existing.bandwidthLimit());
        changed.put(Change.Kind.CONNECTION_ACTIVE, active != existing.active());
        changed.put(Change.Kind.CONNECTION_DEVICE, !deviceId.equals(existing.deviceId()));
        changed.forEach((kind, yes) -> {
            if (yes) {
                announcer.announce(handle, new Change(kind, existing.id()));
            }
        });
        uncommitted.count(
                keepPassword ? ImportReport::updatedKeepingPassword : counted -> counted.written(resolved, true));
    }

    /**
     * The operator's device for {@code ref}: the one an earlier import made from the same legacy device, or (CSV) the
     * operator's first device of that name; else a new pending one, its pairing string written out once committed.
     */
    private UUID device(Handle handle, ImportRow.DeviceRef ref, UncommittedRows uncommitted) {
        Optional<UUID> found = ref.legacyId() != null
                ? handle.createQuery("SELECT id FROM devices WHERE owner_id = :owner AND legacy_id = :legacy")
                        .bind("owner", ownerId)
                        .bind("legacy", ref.legacyId())
                        .mapTo(UUID.class)
                        .findOne()
                : handle.createQuery("SELECT id FROM devices WHERE owner_id = :owner AND name = :name"
                                + " ORDER BY created_at, id LIMIT 1")
                        .bind("owner", ownerId)
                        .bind("name", ref.name())
                        .mapTo(UUID.class)
                        .findOne();
        if (found.isPresent()) {
            return found.get();
        }
        String token = Secrets.newToken(DeviceService.TOKEN_PREFIX);
        UUID id = handle.createQuery("INSERT INTO devices (owner_id, name, token_digest, legacy_id)"
                        + " VALUES (:owner, :name, :digest, :legacy) RETURNING id")
                .bind("owner", ownerId)
                .bind("name", ref.name())
                .bind("digest", TokenDigest.of(token))
                .bind("legacy", ref.legacyId())
                .mapTo(UUID.class)
                .one();
        uncommitted.deviceCreated(
                ref.name(),
                mode.dryRun()
                        ? null
                        : new PairingString(relay.host(), relay.linkPort(), token, relay.certificateFingerprint())
                                .toString());
        return id;
    }

    /**
     * Which of {@code usernames} exist here already, whoever owns them: without {@code --update} those rows are
     * skipped (or refused), so their passwords need not be hashed.
     */
    public static java.util.Set<String> presentUsernames(Jdbi jdbi, List<String> usernames) {
        return jdbi.withHandle(handle -> new java.util.HashSet<>(
                handle.createQuery("SELECT username FROM proxy_connections WHERE username = ANY(:usernames)")
                        .bindArray("usernames", String.class, usernames)
                        .mapTo(String.class)
                        .list()));
    }

    /** The hash we store for each of the operator's {@code usernames} that exists here. */
    public Map<String, String> storedHashes(List<String> usernames) {
        return jdbi.withHandle(handle -> {
            Map<String, String> hashes = new HashMap<>();
            handle.createQuery("SELECT username, password_hash FROM proxy_connections"
                            + " WHERE owner_id = :owner AND username = ANY(:usernames)")
                    .bind("owner", ownerId)
                    .bindArray("usernames", String.class, usernames)
                    .map((rows, ctx) -> Map.entry(rows.getString(1), rows.getString(2)))
                    .forEach(entry -> hashes.put(entry.getKey(), entry.getValue()));
            return hashes;
        });
    }

    private record Existing(
            UUID id,
            UUID ownerId,
            ConnectionType type,
            UUID deviceId,
            long bandwidthLimit,
            boolean active,
            String hash) {}

    /** A row that cannot be written, for a reason the report gives as it is. */
    private static final class RowFailure extends RuntimeException {
        RowFailure(String reason) {
            super(reason, null, false, false);
        }
    }
}
