package io.pocketproxy.app;

import io.pocketproxy.server.importing.CsvSource;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
        name = "csv",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Imports customers from a CSV file with the header"
                + " username,password,password_hash,type,bandwidth_limit,bandwidth_used,device (any order; password or"
                + " password_hash; sizes in bytes or e.g. 500 MB, 1.5 GB). Exit status: 0 all imported, 2 some rows"
                + " not (listed with their line), 130 stopped by Ctrl-C.")
final class ImportCsvCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "FILE", description = "The CSV file (UTF-8).")
    Path file;

    @Mixin
    ImportOptions options = new ImportOptions();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        CommandLineSecrets.warnAbout(spec);
        return new ImportRun(options, spec).run(CsvSource.read(file), null);
    }
}
