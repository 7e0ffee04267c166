package io.pocketproxy.app;

import io.pocketproxy.server.PocketProxyServer;
import java.time.Clock;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
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
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            try {
                                relay.close();
                            } catch (Exception e) {
                                org.slf4j.LoggerFactory.getLogger(RelayCommand.class)
                                        .warn("relay did not stop cleanly", e);
                            }
                            stopped.countDown();
                        },
                        "shutdown"));
        stopped.await();
        return 0;
    }
}
