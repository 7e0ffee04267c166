package io.pocketproxy.app;

import io.pocketproxy.server.PocketProxyServer;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(
        name = "relay",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description =
                "Runs the data plane alone (proxies and device links) next to a server's database (--database-url).")
final class RelayCommand implements Callable<Integer> {

    @Mixin
    ServerOptions options = new ServerOptions();

    @Override
    public Integer call() throws InterruptedException {
        AutoCloseable relay = PocketProxyServer.startRelayOnly(options.toConfig(), Clock.systemUTC());
        UntilStopped.await(relay);
        return 0;
    }
}
