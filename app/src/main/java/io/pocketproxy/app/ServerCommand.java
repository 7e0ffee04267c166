package io.pocketproxy.app;

import io.pocketproxy.server.PocketProxyServer;
import java.util.concurrent.Callable;
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
        warnIfNobodyCanSignIn(server);
        UntilStopped.await(server.fatalFailure(), server);
        return 0;
    }

    /**
     * A hint for a first start without an admin. Only a hint: the server is up and rides out a database that goes
     * away, even in the moment after it said ready, so a failed check must not end it.
     */
    private static void warnIfNobodyCanSignIn(PocketProxyServer server) {
        try {
            if (!server.users().anyUser()) {
                log.warn("no user exists yet: restart with --admin-email and --admin-password"
                        + " (or POCKETPROXY_ADMIN_EMAIL / POCKETPROXY_ADMIN_PASSWORD) to create the first admin");
            }
        } catch (RuntimeException e) {
            log.warn("cannot tell whether a user exists yet ({}); carrying on", e.getMessage());
        }
    }
}
