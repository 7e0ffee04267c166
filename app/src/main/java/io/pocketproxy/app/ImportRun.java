package io.pocketproxy.app;

import io.pocketproxy.server.ServerConfig;
import io.pocketproxy.server.importing.BulkHashing;
import io.pocketproxy.server.importing.ImportReport;
import io.pocketproxy.server.importing.ImportRow;
import io.pocketproxy.server.importing.ImportStorage;
import io.pocketproxy.server.importing.ImportWriter;
import io.pocketproxy.server.importing.LegacyDatabase;
import io.pocketproxy.server.importing.PairingOut;
import io.pocketproxy.server.importing.ResolvedRow;
import io.pocketproxy.server.importing.SourceRows;
import io.pocketproxy.server.importing.SourceScrubber;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Model.CommandSpec;

/**
 * One run of {@code import legacy} or {@code import csv} once the source is read: hash first (the slow part, with
 * our database not yet taken), then write holding it as briefly as possible, then (legacy, {@code --scrub-source})
 * clear the source's plaintexts. Ends with the report, also when Ctrl-C stopped it.
 */
final class ImportRun {

    /** Every row imported (or, with --dry-run, importable). */
    static final int OK = 0;
    /** Finished, but some rows were not imported; the report lists them. With --strict: stopped at the first. */
    static final int ROWS_FAILED = 2;
    /** Stopped by Ctrl-C: what was committed stays, and the same command finishes the rest. */
    static final int INTERRUPTED = 130;

    private static final Logger log = LoggerFactory.getLogger(ImportRun.class);

    private final ImportOptions options;
    private final PrintWriter out;
    private final PrintWriter err;

    ImportRun(ImportOptions options, CommandSpec spec) {
        this.options = options;
        this.out = spec.commandLine().getOut();
        this.err = spec.commandLine().getErr();
    }

    /** @param scrubSource the legacy database to scrub afterwards, or null */
    int run(SourceRows read, LegacyDatabase scrubSource) {
        // Listening for Ctrl-C before our database is first opened: a stop then waits for it to be closed again,
        // rather than leaving the embedded PostgreSQL running without its owner.
        try (StopRequest stop = StopRequest.onSignal()) {
            return run(read, scrubSource, stop);
        }
    }

    private int run(SourceRows read, LegacyDatabase scrubSource, StopRequest stop) {
        ServerConfig config = options.storageConfig();
        SourceRows source = read.withoutRepeatedUsernames();
        List<String> usernames = source.rows().stream().map(ImportRow::username).toList();
        Set<String> present;
        // Before the minutes of hashing: that the owner exists and our database can be had (no server holds it),
        // and which usernames are here already (a re-run after Ctrl-C need not hash what it will skip).
        try (ImportStorage storage = ImportStorage.open(config)) {
            ImportWriter.ownerId(storage.jdbi(), options.owner);
            present = options.update ? Set.of() : ImportWriter.presentUsernames(storage.jdbi(), usernames);
        }
        ImportReport report = new ImportReport(options.dryRun);
        report.read(source);
        if (stop.requested()) {
            report.interrupted();
            report.print(out);
            return INTERRUPTED;
        }
        if (options.strict && !source.errors().isEmpty()) {
            out.println("--strict: the source has bad rows, so nothing was imported");
            report.print(out);
            return ROWS_FAILED;
        }
        ProgressDisplay progress = ProgressDisplay.forStandardError(err, options.progressInterval);
        int threads = options.hashThreads();
        log.info(
                "importing {} rows for {} ({} already here, not hashed again), hashing on {} threads{}",
                source.rows().size(),
                options.owner,
                present.size(),
                threads,
                options.dryRun ? " (dry run: nothing is changed)" : "");
        try (BulkHashing hashing = new BulkHashing(threads);
                PairingOut pairingOut =
                        options.pairingOut == null || options.dryRun ? null : PairingOut.open(options.pairingOut)) {
            try {
                List<ResolvedRow> resolved =
                        hashing.resolve(source.rows(), present, options.dryRun, progress, stop::requested);
                Map<String, String> storedHashes =
                        write(config, resolved, pairingOut, report, progress, stop, scrubSource != null);
                if (storedHashes != null && !report.wasInterrupted()) {
                    SourceScrubber.scrub(
                            scrubSource, source.rows(), storedHashes, hashing, report, progress, stop::requested);
                }
            } catch (BulkHashing.Interrupted e) {
                report.interrupted();
            } catch (RuntimeException e) {
                if (!stop.requested()) {
                    throw e;
                }
                // What fails after Ctrl-C fails because of it: on a terminal a pg_ctl the embedded database is running
                // gets the signal too (PostgreSQL itself does not: pg_ctl starts it in a session of its own). The
                // transaction being written is rolled back, and the report counts only what was committed.
                log.debug("stopped while writing", e);
                report.interrupted();
            }
            report.print(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (report.wasInterrupted()) {
            return INTERRUPTED;
        }
        return report.hasErrors() ? ROWS_FAILED : OK;
    }

    /**
     * Writes, holding our database only now; returns our stored hashes of the source's usernames when the source
     * is to be scrubbed (read before the database is given back), else null.
     */
    private Map<String, String> write(
            ServerConfig config,
            List<ResolvedRow> resolved,
            PairingOut pairingOut,
            ImportReport report,
            ProgressDisplay progress,
            StopRequest stop,
            boolean scrub) {
        try (ImportStorage storage = ImportStorage.open(config)) {
            UUID owner = ImportWriter.ownerId(storage.jdbi(), options.owner);
            ImportWriter writer = new ImportWriter(storage.jdbi(), owner, storage.relay(), pairingOut, options.mode());
            writer.write(resolved, report, progress, stop::requested);
            if (!scrub || options.dryRun || report.wasInterrupted()) {
                return null;
            }
            return writer.storedHashes(resolved.stream()
                    .map(ResolvedRow::row)
                    .filter(ImportRow::hasPlaintext)
                    .map(ImportRow::username)
                    .toList());
        }
    }
}
