package io.pocketproxy.app;

import io.pocketproxy.server.PocketProxyServer;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(
        name = "server",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Runs the control plane (REST API, dashboard, database) and the relay.")
final class ServerCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(ServerCommand.class);

    @Mixin
    ServerOptions options = new ServerOptions();

    @Override
    public Integer call() throws InterruptedException {
        PocketProxyServer server = PocketProxyServer.start(options.toConfig());
        if (!server.users().anyUser()) {
            log.warn("no user exists yet: restart with --admin-email and --admin-password"
                    + " (or POCKETPROXY_ADMIN_EMAIL / POCKETPROXY_ADMIN_PASSWORD) to create the first admin");
        }
        runUntilStopped(server);
        return 0;
    }

    /** Serves until SIGTERM or Ctrl-C, then stops every part in order before the JVM exits. */
    static void runUntilStopped(PocketProxyServer server) throws InterruptedException {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            server.close();
                            stopped.countDown();
                        },
                        "shutdown"));
        stopped.await();
    }
}
