package io.pocketproxy.app;

import io.pocketproxy.server.PocketProxyServer;
import io.pocketproxy.server.secrets.Secrets;
import io.pocketproxy.server.users.Role;
import io.pocketproxy.server.users.User;
import java.io.PrintWriter;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Runs a server in ./data with a sample operator and prints how to sign in and try the API.")
final class DemoCommand implements Callable<Integer> {

    static final String DEMO_EMAIL = "demo@pocketproxy.local";

    @Mixin
    ServerOptions options = new ServerOptions();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        PocketProxyServer server = PocketProxyServer.start(options.toConfig());
        // Only a hash of the password is kept, so the demo hands out a fresh one at every start.
        String password = Secrets.randomString("abcdefghijkmnpqrstuvwxyz23456789", 16);
        Optional<User> existing = server.users().findByEmail(DEMO_EMAIL);
        if (existing.isPresent()) {
            server.users().changePassword(existing.get().id(), password);
        } else {
            server.users().create(DEMO_EMAIL, password, "Demo Operator", Role.ADMIN);
        }
        printWelcome(
                spec.commandLine().getOut(),
                server.apiUrl(),
                password,
                server.config().dataDir().toString());
        ServerCommand.runUntilStopped(server);
        return 0;
    }

    static void printWelcome(PrintWriter out, String url, String password, String dataDir) {
        String api = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        out.println();
        out.println("PocketProxy demo is running.");
        out.println();
        out.println("  API and dashboard: " + url);
        out.println("  Sign in as:        " + DEMO_EMAIL);
        out.println("  Password:          " + password + "   (new at every demo start)");
        out.println();
        out.println("Try the API:");
        out.println("  TOKEN=$(curl -s " + api + "/api/auth/login -H 'Content-Type: application/json' \\");
        out.println("    -d '{\"email\":\"" + DEMO_EMAIL + "\",\"password\":\"" + password
                + "\"}' | sed 's/.*\"token\":\"\\([^\"]*\\)\".*/\\1/')");
        out.println("  curl -s " + api + "/api/devices -H \"Authorization: Bearer $TOKEN\"");
        out.println("  curl -s " + api + "/api/devices -H \"Authorization: Bearer $TOKEN\" \\");
        out.println("    -H 'Content-Type: application/json' -d '{\"name\":\"My phone\"}'");
        out.println();
        out.println("Stop with Ctrl-C; the data stays in " + dataDir + " for the next start.");
        out.flush();
    }
}
