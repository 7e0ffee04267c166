package io.pocketproxy.server.importing;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * What an import did, or (dry run) would do: the counts of the final table, and every row that needs the
 * operator's attention with where it came from. Holds usernames and reasons, never a password or hash.
 */
public final class ImportReport {

    private final boolean dryRun;
    private int read;
    private int imported;
    private int updated;
    private int keptHashes;
    private int hashedPlaintexts;
    private int devicesCreated;
    private int scrubbed;
    private boolean interrupted;
    private final List<RowError> skipped = new ArrayList<>();
    private final List<RowError> needingPassword = new ArrayList<>();
    private final List<RowError> mismatches = new ArrayList<>();
    private final List<RowError> errors = new ArrayList<>();
    private final List<RowError> notScrubbed = new ArrayList<>();
    private final List<String> pairings = new ArrayList<>();

    public ImportReport(boolean dryRun) {
        this.dryRun = dryRun;
    }

    public void read(SourceRows source) {
        read = source.rows().size() + source.errors().size();
        errors.addAll(source.errors());
    }

    void written(ResolvedRow row, boolean update) {
        if (update) {
            updated++;
        } else {
            imported++;
        }
        String origin = row.row().origin();
        String username = row.row().username();
        switch (row.outcome()) {
            case KEPT_HASH -> keptHashes++;
            case HASHED_PLAINTEXT -> hashedPlaintexts++;
            case HASH_OVER_PLAINTEXT -> {
                keptHashes++;
                mismatches.add(new RowError(
                        origin,
                        username + ": password_plain does not match password_hash; the hash was kept (it is what"
                                + " the old system checked)"));
            }
            case NONE ->
                needingPassword.add(new RowError(
                        origin, username + ": no password or bcrypt hash; imported inactive, give it a new password"));
        }
    }

    /** Updated from a source row without a password: the connection keeps the one it has here. */
    void updatedKeepingPassword() {
        updated++;
    }

    void skipped(ImportRow row, String reason) {
        skipped.add(new RowError(row.origin(), row.username() + ": " + reason));
    }

    void failed(ImportRow row, String reason) {
        errors.add(new RowError(row.origin(), row.username() + ": " + reason));
    }

    void deviceCreated(String name, String pairing) {
        devicesCreated++;
        if (pairing != null) {
            pairings.add(name.replace('\t', ' ') + "\t" + pairing);
        }
    }

    void scrubbed(int rows) {
        scrubbed += rows;
    }

    void notScrubbed(ImportRow row, String reason) {
        notScrubbed.add(new RowError(row.origin(), row.username() + ": " + reason));
    }

    public void interrupted() {
        interrupted = true;
    }

    public boolean wasInterrupted() {
        return interrupted;
    }

    public int imported() {
        return imported;
    }

    public int updated() {
        return updated;
    }

    public int keptHashes() {
        return keptHashes;
    }

    public int hashedPlaintexts() {
        return hashedPlaintexts;
    }

    public int scrubbed() {
        return scrubbed;
    }

    public List<RowError> skipped() {
        return List.copyOf(skipped);
    }

    public List<RowError> needingPassword() {
        return List.copyOf(needingPassword);
    }

    public List<RowError> mismatches() {
        return List.copyOf(mismatches);
    }

    public List<RowError> errors() {
        return List.copyOf(errors);
    }

    public boolean hasErrors() {
        return !errors.isEmpty();
    }

    /**
     * The final table, then the rows behind its numbers; pairing strings of devices created only when they were
     * not written to a file.
     */
    public void print(PrintWriter out) {
        String would = dryRun ? "would be " : "";
        out.println(
                dryRun
                        ? "dry run: nothing was changed"
                        : interrupted
                                ? "interrupted: what is listed was" + " committed; run the same command again to finish"
                                : "import finished");
        row(out, "rows read", read);
        row(out, (dryRun ? "would be imported" : "imported"), imported);
        row(out, "  with their hash kept", keptHashes);
        row(out, "  with plaintext hashed", hashedPlaintexts);
        row(out, would + "updated", updated);
        row(out, "skipped", skipped.size());
        row(out, "needing a new password", needingPassword.size());
        row(out, "errors", errors.size());
        row(out, "devices " + (dryRun ? "to create" : "created"), devicesCreated);
        if (scrubbed > 0 || !notScrubbed.isEmpty()) {
            row(out, "scrubbed in the source", scrubbed);
        }
        list(out, "errors", errors);
        list(out, "plaintext and hash disagree", mismatches);
        list(out, "needing a new password", needingPassword);
        list(out, "skipped", skipped);
        list(out, "left unscrubbed in the source", notScrubbed);
        if (!pairings.isEmpty()) {
            out.println();
            out.println("pairing strings of the devices created (shown once; each device's agent needs its own):");
            pairings.forEach(out::println);
        }
        out.flush();
    }

    private static void row(PrintWriter out, String label, int count) {
        out.printf("  %-26s %8d%n", label, count);
    }

    private static void list(PrintWriter out, String title, List<RowError> rows) {
        if (rows.isEmpty()) {
            return;
        }
        out.println();
        out.println(title + ":");
        rows.forEach(row -> out.println("  " + row));
    }
}
