package io.pocketproxy.bench;

import io.pocketproxy.relay.openvpn.OpenVpnPrerequisites;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Two network namespaces of the bench's own for the OpenVPN figure, joined by a veth pair: the "server" one
 * (relay with OpenVPN on, agent, and the source on {@link #TARGET}, an address of its loopback device) and the
 * "customer" one (the openvpn client and the downloads). Nothing of the host's own networking is touched; closing
 * stops whatever still runs in them and deletes them, links, tun devices and netfilter rules with them.
 */
final class VpnLab implements AutoCloseable {

    static final String SERVER_SIDE = "192.168.78.1";
    static final String CUSTOMER_SIDE = "192.168.78.2";
    /** The source's address: it exists only in the server's namespace, so the customer reaches it through the VPN. */
    static final String TARGET = "10.99.0.1";

    private final String server;
    private final String customer;
    private final List<String> created = new ArrayList<>();

    private VpnLab(String id) {
        this.server = "ppbench-" + id + "-srv";
        this.customer = "ppbench-" + id + "-cli";
    }

    /** Why this machine cannot run the figure (it needs root and the tools), or empty when it can. */
    static Optional<String> missing() {
        List<String> missing = new ArrayList<>();
        if (!OpenVpnPrerequisites.runsAsRoot()) {
            missing.add("root");
        }
        for (String program : List.of("ip", "openvpn", "nft")) {
            if (OpenVpnPrerequisites.find(program).isEmpty()) {
                missing.add(program);
            }
        }
        if (!Files.exists(Path.of("/dev/net/tun"))) {
            missing.add("/dev/net/tun");
        }
        return missing.isEmpty() ? Optional.empty() : Optional.of("needs " + String.join(", ", missing));
    }

    static VpnLab create() {
        VpnLab lab = new VpnLab(HexFormat.of().toHexDigits((short) new SecureRandom().nextInt()));
        try {
            lab.build();
            return lab;
        } catch (RuntimeException e) {
            lab.close();
            throw e;
        }
    }

    private void build() {
        for (String namespace : List.of(server, customer)) {
            run("ip", "netns", "add", namespace);
            created.add(namespace);
            run("ip", "-n", namespace, "link", "set", "lo", "up");
        }
        String serverLink = server.substring(8, 12) + "vpns";
        String customerLink = server.substring(8, 12) + "vpnc";
        run("ip", "link", "add", serverLink, "type", "veth", "peer", "name", customerLink);
        run("ip", "link", "set", serverLink, "netns", server);
        run("ip", "link", "set", customerLink, "netns", customer);
        run("ip", "-n", server, "addr", "add", SERVER_SIDE + "/30", "dev", serverLink);
        run("ip", "-n", server, "link", "set", serverLink, "up");
        run("ip", "-n", customer, "addr", "add", CUSTOMER_SIDE + "/30", "dev", customerLink);
        run("ip", "-n", customer, "link", "set", customerLink, "up");
        run("ip", "-n", server, "addr", "add", TARGET + "/32", "dev", "lo");
    }

    /** {@code ip netns exec} into the server's namespace. */
    List<String> inServer() {
        return List.of("ip", "netns", "exec", server);
    }

    /** {@code ip netns exec} into the customer's namespace. */
    List<String> inCustomer() {
        return List.of("ip", "netns", "exec", customer);
    }

    @Override
    public void close() {
        for (String namespace : created) {
            String pids = output("ip", "netns", "pids", namespace);
            for (String pid : pids.split("\\s+")) {
                if (!pid.isBlank()) {
                    ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
                }
            }
            output("ip", "netns", "del", namespace);
        }
        created.clear();
    }

    private static void run(String... command) {
        try {
            Process process =
                    new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes());
            if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed: " + output.strip());
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + String.join(" ", command), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String output(String... command) {
        try {
            Process process =
                    new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes());
            process.waitFor(Duration.ofSeconds(30).toSeconds(), TimeUnit.SECONDS);
            return output;
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }
}
