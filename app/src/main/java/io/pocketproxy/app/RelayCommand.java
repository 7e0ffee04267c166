package io.pocketproxy.app;

import io.pocketproxy.server.PocketProxyServer;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(
        name = "relay",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Runs the data plane alone (proxies and device links) next to a server's database"
                + " (--database-url); the server owns the schema, so start it (or run pocketproxy migrate) first.")
final class RelayCommand implements Callable<Integer> {

    @Mixin
    RelayOptions options = new RelayOptions();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        CommandLineSecrets.warnAbout(spec);
        AutoCloseable relay = PocketProxyServer.startRelayOnly(options.toConfig(), Clock.systemUTC());
        UntilStopped.await(relay);
        return 0;
    }
}
