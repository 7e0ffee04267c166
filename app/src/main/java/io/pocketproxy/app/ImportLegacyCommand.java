package io.pocketproxy.app;

import io.pocketproxy.server.importing.LegacyDatabase;
import io.pocketproxy.server.importing.LegacySource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "legacy",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Imports the connections and devices of the earlier PocketProxy's database (read-only unless"
                + " --scrub-source). Exit status: 0 all imported, 2 some rows not (listed), 130 stopped by Ctrl-C.")
final class ImportLegacyCommand implements Callable<Integer> {

    // Plain options rather than an exclusive group, as for the agent's pairing string: picocli does not let the
    // environment (POCKETPROXY_FROM) satisfy a required group.
    @Option(
            names = "--from",
            paramLabel = "URL",
            description = "The earlier database: postgresql://USER:PASSWORD@HOST:PORT/DB or jdbc:postgresql://... ;"
                    + " prefer POCKETPROXY_FROM or --from-file (command lines are visible to all local users).")
    String from;

    @Option(
            names = "--from-file",
            paramLabel = "FILE",
            description = "A file holding that URL (keep it readable by you alone).")
    Path fromFile;

    @Option(
            names = "--scrub-source",
            description = "Afterwards, clear password_plain in the source for every row whose hash here was checked"
                    + " against it (and store that hash where the source had none), in one transaction"
                    + " (default: ${DEFAULT-VALUE}).")
    boolean scrubSource;

    @Mixin
    ImportOptions options = new ImportOptions();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws SQLException {
        CommandLineSecrets.warnAbout(spec);
        try (LegacyDatabase source = LegacyDatabase.open(sourceUrl())) {
            return new ImportRun(options, spec).run(LegacySource.read(source), scrubSource ? source : null);
        }
    }

    private String sourceUrl() {
        if ((from == null) == (fromFile == null)) {
            throw new IllegalArgumentException((from == null ? "no source database" : "two source databases")
                    + " (expected: one of --from-file FILE, POCKETPROXY_FROM or --from URL)");
        }
        if (from != null) {
            return from.strip();
        }
        try {
            return Files.readString(fromFile, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new UncheckedIOException("--from-file: cannot read " + fromFile, e);
        }
    }
}
