package io.pocketproxy.server.importing;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * {@code --scrub-source}: finishes SEC-01 on the old database once our copy is committed. Every source plaintext is
 * checked against the hash we now store for its username; for those that verify, one transaction sets
 * {@code password_plain} to NULL ({@code ''} where the column is still NOT NULL, as before the old system's
 * migration 010) and stores the verified hash in {@code password_hash} where that had no bcrypt hash. A row whose
 * plaintext changed since it was read, or that did not verify, is left as it is.
 */
public final class SourceScrubber {

    private SourceScrubber() {}

    /**
     * @param rows the source rows read (those without a plaintext are passed over)
     * @param storedHashes our hash for each imported username of the owner
     */
    public static void scrub(
            LegacyDatabase source,
            List<ImportRow> rows,
            Map<String, String> storedHashes,
            BulkHashing hashing,
            ImportReport report,
            Progress progress,
            BooleanSupplier stop) {
        List<ImportRow> candidates = new ArrayList<>();
        List<String> plaintexts = new ArrayList<>();
        List<String> hashes = new ArrayList<>();
        for (ImportRow row : rows) {
            if (!row.hasPlaintext()) {
                continue;
            }
            String stored = storedHashes.get(row.username());
            if (stored == null) {
                report.notScrubbed(row, "not imported (see above)");
                continue;
            }
            candidates.add(row);
            plaintexts.add(row.plaintext());
            hashes.add(stored);
        }
        List<Boolean> verified = hashing.verifyAll(plaintexts, hashes, progress, stop);
        List<ImportRow> toScrub = new ArrayList<>();
        List<String> verifiedHashes = new ArrayList<>();
        for (int i = 0; i < candidates.size(); i++) {
            if (verified.get(i)) {
                toScrub.add(candidates.get(i));
                verifiedHashes.add(hashes.get(i));
            } else {
                report.notScrubbed(
                        candidates.get(i),
                        "its plaintext does not match the hash stored here (the hash the old system checked was kept)");
            }
        }
        report.scrubbed(update(source, toScrub, verifiedHashes));
    }

    private static int update(LegacyDatabase source, List<ImportRow> rows, List<String> hashes) {
        if (rows.isEmpty()) {
            return 0;
        }
        String cleared = source.plaintextNullable() ? "NULL" : "''";
        String hashColumn = source.hasConnectionColumn("password_hash")
                ? ", password_hash = CASE WHEN password_hash ~ '^\\$2[aby]\\$' THEN password_hash ELSE ? END"
                : "";
        String sql = "UPDATE proxy_connections SET password_plain = " + cleared + hashColumn
                + " WHERE username = ? AND password_plain = ?";
        Connection connection = source.connection();
        try {
            connection.setReadOnly(false);
            connection.setAutoCommit(false);
            int scrubbed = 0;
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                for (int i = 0; i < rows.size(); i++) {
                    int parameter = 1;
                    if (!hashColumn.isEmpty()) {
                        statement.setString(parameter++, hashes.get(i));
                    }
                    statement.setString(parameter++, rows.get(i).username());
                    statement.setString(parameter, rows.get(i).plaintext());
                    statement.addBatch();
                }
                for (int count : statement.executeBatch()) {
                    scrubbed += Math.max(count, 0);
                }
            }
            connection.commit();
            return scrubbed;
        } catch (SQLException e) {
            try {
                connection.rollback();
            } catch (SQLException ignored) {
                // the connection is gone; nothing was committed
            }
            // Neither the driver's message nor the exception goes on: a batch's message can quote its parameters.
            throw new IllegalStateException("--scrub-source: the source was left unchanged (PostgreSQL refused the"
                    + " update with SQLSTATE " + e.getSQLState() + ")");
        }
    }
}
