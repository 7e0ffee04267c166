package io.pocketproxy.app;

import io.pocketproxy.server.PocketProxyServer;
import io.pocketproxy.server.ServerConfig;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(
        name = "migrate",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Brings the database schema up to date, then exits.")
final class MigrateCommand implements Callable<Integer> {

    @Mixin
    StorageOptions storage = new StorageOptions();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        CommandLineSecrets.warnAbout(spec);
        PocketProxyServer.migrateOnly(ServerConfig.builder(storage.dataDir)
                .databaseUrl(storage.databaseUrl)
                .build());
        spec.commandLine().getOut().println("database schema is up to date");
        return 0;
    }
}
