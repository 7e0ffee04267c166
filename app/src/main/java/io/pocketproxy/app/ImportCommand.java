package io.pocketproxy.app;

import picocli.CommandLine.Command;

/** {@code pocketproxy import}: brings existing customers over, from the earlier PocketProxy or from a CSV file. */
@Command(
        name = "import",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description =
                "Brings existing customers over (their passwords keep working; plaintexts are hashed on the way).",
        subcommands = {ImportLegacyCommand.class, ImportCsvCommand.class})
final class ImportCommand {}
