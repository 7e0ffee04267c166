package io.pocketproxy.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Option;

/**
 * One bulk download through the VPN and the device (an OPENVPN connection: a real openvpn client, the server's
 * OpenVPN, TPROXY, the relay's tunnel, the agent) against the same download through SOCKS5 and the same device,
 * in the same run, from the same customer's namespace. It needs root (network namespaces of its own, a tun
 * device, netfilter rules): otherwise its table says it was skipped.
 */
final class OpenVpnDownload implements Figure {

    private static final String VPN = "OpenVPN";
    private static final String SOCKS = "SOCKS5";

    @Option(
            names = "--openvpn-mib",
            paramLabel = "MiB",
            description = "Size of each download through the VPN and through SOCKS5 (default: ${DEFAULT-VALUE}); one"
                    + " warm-up download each first.")
    int mib = 256;

    @Override
    public void validate() {
        Check.atLeast("--openvpn-mib", mib, 1);
    }

    @Override
    public Table measure(Testbed testbed) throws Exception {
        String title = "Bulk download through OpenVPN and through SOCKS5, same device, " + mib + " MiB ("
                + Rounds.caption(testbed.options().rounds) + ")";
        Optional<String> missing = VpnLab.missing();
        if (missing.isPresent()) {
            Progress.say("openvpn: skipped, " + missing.get());
            return new Table(
                    "openvpn download",
                    title,
                    List.of(),
                    List.of("Skipped: this figure " + missing.get()
                            + " (network namespaces, a tun device and netfilter rules of its own)."));
        }
        try (VpnLab lab = VpnLab.create();
                Parts parts = new Parts()) {
            Progress.say("openvpn: starting the relay with OpenVPN, the agent and the source in a namespace");
            Child relay = parts.add(Child.start(
                    lab.inServer(),
                    OpenVpnRelayHost.class,
                    "2g",
                    Map.of(),
                    Integer.toString(testbed.options().streamWindowMib),
                    Integer.toString(testbed.options().linkWindowMib)));
            String pairing = relay.readLine().substring("device ".length());
            String[] socks = relay.readLine().split(" ");
            String profile = new String(
                    Base64.getDecoder().decode(relay.readLine().substring("ovpn ".length())), StandardCharsets.UTF_8);
            Child target = parts.add(Child.start(lab.inServer(), TargetHost.class, "1g", Map.of(), VpnLab.TARGET));
            int source = Integer.parseInt(target.readLine().split(" ")[1]);
            Child agent = parts.add(
                    Child.start(lab.inServer(), AgentHost.class, "2g", Map.of(AgentHost.PAIRING_VARIABLE, pairing)));
            if (!agent.readLine().equals("linked")) {
                throw new IllegalStateException("the agent did not link to the relay");
            }
            Progress.say("openvpn: connecting the customer's openvpn client");
            parts.add(connectClient(lab, profile));
            Child customer = parts.add(Child.start(lab.inCustomer(), VpnDownloader.class, "1g", Map.of()));

            long bytes = (long) mib << 20;
            String vpn = "vpn " + VpnLab.TARGET + " " + source + " ";
            String viaSocks = "socks " + VpnLab.SERVER_SIDE + " " + socks[1] + " " + socks[2] + " " + socks[3] + " "
                    + VpnLab.TARGET + " " + source + " ";
            List<Route> routes = List.of(new Route(VPN, port -> null), new Route(SOCKS, port -> null));
            Map<String, String> commands = Map.of(VPN, vpn, SOCKS, viaSocks);
            for (Route route : routes) {
                mbps(customer, commands.get(route.name()) + Math.min(bytes, 64L << 20));
            }
            Rounds rounds = Rounds.run(
                    "openvpn",
                    testbed.options().rounds,
                    routes,
                    route -> Map.of("MB/s", mbps(customer, commands.get(route.name()) + bytes)));
            double overVpn = rounds.median("MB/s", VPN);
            double overSocks = rounds.median("MB/s", SOCKS);
            return new Table(
                    "openvpn download",
                    title,
                    List.of(
                            Table.Row.oursOnly("through OpenVPN, MB/s", overVpn, ""),
                            Table.Row.oursOnly("through SOCKS5, MB/s", overSocks, "")),
                    List.of(String.format(
                            Locale.ROOT,
                            "OpenVPN ÷ SOCKS5: %.2f. Both from the customer's namespace to a source in the server's, through"
                                    + " the same relay, link and agent; the VPN adds openvpn on both ends (userspace,"
                                    + " AES-256-GCM, UDP over a veth pair) and the kernel's TPROXY diversion.",
                            overVpn / overSocks)));
        }
    }

    private static double mbps(Child customer, String command) {
        String answer = customer.ask(command);
        if (answer.startsWith("error")) {
            throw new IllegalStateException("openvpn figure: " + command.split(" ")[0] + " download failed: " + answer);
        }
        return Double.parseDouble(answer);
    }

    /** The customer's openvpn client, up; its profile goes in on stdin, so its password is in no file. */
    private static AutoCloseable connectClient(VpnLab lab, String profile) throws IOException {
        List<String> command = new ArrayList<>(lab.inCustomer());
        command.addAll(List.of("openvpn", "--config", "/dev/stdin"));
        Process client = new ProcessBuilder(command).redirectErrorStream(true).start();
        AutoCloseable stop = () -> {
            client.destroy();
            if (!client.waitFor(10, TimeUnit.SECONDS)) {
                client.destroyForcibly();
            }
        };
        try (OutputStream stdin = client.getOutputStream()) {
            stdin.write(profile.getBytes(StandardCharsets.UTF_8));
        }
        CompletableFuture<Boolean> up = CompletableFuture.supplyAsync(() -> {
            try (BufferedReader log =
                    new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = log.readLine(); line != null; line = log.readLine()) {
                    if (line.contains("Initialization Sequence Completed")) {
                        Thread.ofVirtual().start(() -> drain(log));
                        return true;
                    }
                }
                return false;
            } catch (IOException e) {
                return false;
            }
        });
        try {
            if (!up.get(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the openvpn client exited before its tunnel came up");
            }
        } catch (Exception e) {
            try {
                stop.close();
            } catch (Exception ignored) {
                // it is being stopped because it failed
            }
            throw new IllegalStateException("the openvpn client did not connect within 30 s", e);
        }
        return stop;
    }

    private static void drain(BufferedReader log) {
        try {
            while (log.readLine() != null) {
                // its log is not needed once it is up; reading keeps it from blocking on a full pipe
            }
        } catch (IOException e) {
            // it stopped
        }
    }

    /** What the figure started, stopped in reverse order before the namespaces go. */
    private static final class Parts implements AutoCloseable {
        private final List<AutoCloseable> started = new ArrayList<>();

        <T extends AutoCloseable> T add(T part) {
            started.add(part);
            return part;
        }

        @Override
        public void close() {
            for (int i = started.size() - 1; i >= 0; i--) {
                try {
                    started.get(i).close();
                } catch (Exception e) {
                    Progress.say("openvpn: could not stop a part cleanly: " + e);
                }
            }
        }
    }
}
