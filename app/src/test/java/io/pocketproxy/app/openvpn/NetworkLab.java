package io.pocketproxy.app.openvpn;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;

/**
 * Two network namespaces of our own, and the links between them and this test's namespace:
 *
 * <pre>
 *   this JVM (test, destination)          "server" namespace                        "client" namespace
 *   10.250.K.1 ──────veth────── 10.250.K.2  server + agent + OpenVPN   192.168.77.1 ──veth── 192.168.77.2  openvpn client
 * </pre>
 *
 * The client's link also carries IPv6, as a dual-stack customer's does, to an address in the server's namespace
 * ({@link #AROUND_THE_DEVICE_IPV6}): the VPN must keep the customer's IPv6 from taking it.
 *
 * <p>The test reaches the server's API over the first link; the device (the agent, in the server's namespace)
 * reaches the destination over it too. The client's namespace has no route but its link to the server, so the
 * only way its traffic reaches the destination is through the VPN, and so the device.
 *
 * <p>Everything made here is removed by {@link #close()}, also when the lab fails half-way: the namespaces (with
 * their links, tun devices and netfilter rules), every process still in them, and the client namespace's
 * {@code /etc/netns} resolver file.
 */
final class NetworkLab implements AutoCloseable {

    static final String CLIENT_SIDE = "192.168.77.2";
    static final String SERVER_CLIENT_SIDE = "192.168.77.1";
    static final String CLIENT_SIDE_IPV6 = "fd77:77::2";
    static final String SERVER_CLIENT_SIDE_IPV6 = "fd77:77::1";

    /**
     * An IPv6 address in the server's namespace that the client reaches over its own link, not through the VPN: the
     * way a dual-stack customer's IPv6 would go around the device if the VPN let it.
     */
    static final String AROUND_THE_DEVICE_IPV6 = "2001:db8:77::1";

    private final String id;
    private final String server;
    private final String client;
    private final String hostAddress;
    private final String serverHostAddress;
    private final int subnet;
    private final FileLock subnetLock;
    private final List<String> created = new ArrayList<>();

    private NetworkLab(String id, int subnet, FileLock subnetLock) {
        this.id = id;
        this.subnetLock = subnetLock;
        this.server = "pocketproxy-" + id + "-srv";
        this.client = "pocketproxy-" + id + "-cli";
        this.hostAddress = "10.250." + subnet + ".1";
        this.serverHostAddress = "10.250." + subnet + ".2";
        this.subnet = subnet;
    }

    static NetworkLab create() {
        SecureRandom random = new SecureRandom();
        String id = HexFormat.of().toHexDigits((short) random.nextInt());
        int subnet = -1;
        FileLock lock = null;
        for (int attempt = 0; attempt < 20 && lock == null; attempt++) {
            subnet = random.nextInt(250);
            lock = reserve(subnet);
        }
        if (lock == null) {
            throw new AssertionError("no free 10.250.K.0/30 for the OpenVPN lab after 20 tries");
        }
        NetworkLab lab = new NetworkLab(id, subnet, lock);
        try {
            lab.build();
            return lab;
        } catch (RuntimeException | AssertionError e) {
            lab.close();
            throw e;
        }
    }

    private void build() {
        for (String namespace : List.of(server, client)) {
            Shell.require("ip", "netns", "add", namespace);
            created.add(namespace);
            Shell.require("ip", "-n", namespace, "link", "set", "lo", "up");
        }
        String hostSide = "pph" + id + "a";
        String serverSide = "pph" + id + "b";
        Shell.require("ip", "link", "add", hostSide, "type", "veth", "peer", "name", serverSide);
        Shell.require("ip", "link", "set", serverSide, "netns", server);
        Shell.require("ip", "addr", "add", hostAddress + "/30", "dev", hostSide);
        Shell.require("ip", "link", "set", hostSide, "up");
        Shell.require("ip", "-n", server, "addr", "add", serverHostAddress + "/30", "dev", serverSide);
        Shell.require("ip", "-n", server, "link", "set", serverSide, "up");

        String toClient = "ppc" + id + "a";
        String fromServer = "ppc" + id + "b";
        Shell.require("ip", "link", "add", toClient, "type", "veth", "peer", "name", fromServer);
        Shell.require("ip", "link", "set", toClient, "netns", server);
        Shell.require("ip", "link", "set", fromServer, "netns", client);
        Shell.require("ip", "-n", server, "addr", "add", SERVER_CLIENT_SIDE + "/30", "dev", toClient);
        Shell.require("ip", "-n", server, "link", "set", toClient, "up");
        Shell.require("ip", "-n", client, "addr", "add", CLIENT_SIDE + "/30", "dev", fromServer);
        Shell.require("ip", "-n", client, "link", "set", fromServer, "up");
        // The customer is dual-stack: IPv6 on its link (nodad: usable at once) and a default route through it.
        Shell.require("ip", "-n", server, "addr", "add", SERVER_CLIENT_SIDE_IPV6 + "/64", "dev", toClient, "nodad");
        Shell.require("ip", "-n", client, "addr", "add", CLIENT_SIDE_IPV6 + "/64", "dev", fromServer, "nodad");
        Shell.require("ip", "-n", client, "-6", "route", "add", "default", "via", SERVER_CLIENT_SIDE_IPV6);
        Shell.require("ip", "-n", server, "addr", "add", AROUND_THE_DEVICE_IPV6 + "/128", "dev", "lo");
        // Forwarding on, as on many servers: the rules, not the host's settings, must keep traffic off other routes.
        Shell.require("ip", "netns", "exec", server, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1");
    }

    /**
     * Reserves 10.250.K.0/30 (and the pools 10.251.K.0/24 and 10.252.K.0/24) for this lab, or returns null if another
     * lab has it. Labs of other test JVMs may run at the same time (the build runs tests in two JVMs, and other builds
     * may share the host): an address check alone would let two of them pick the same K between one's check and its {@code ip addr add}.
     * The lock on {@code /run/lock/pocketproxy-lab-K} is what makes K ours; the kernel drops it when this JVM dies,
     * so a crashed run leaves no stale reservation. The address check still skips a K that something else uses.
     */
    private static FileLock reserve(int subnet) {
        Path file = Path.of("/run/lock", "pocketproxy-lab-" + subnet);
        FileChannel channel = null;
        try {
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = channel.tryLock();
            if (lock != null && !inUse("10.250." + subnet + ".")) {
                return lock;
            }
            channel.close();
            return null;
        } catch (OverlappingFileLockException e) {
            // A lab of this JVM holds it.
            closeQuietly(channel);
            return null;
        } catch (IOException e) {
            closeQuietly(channel);
            throw new UncheckedIOException("cannot reserve a subnet for the OpenVPN lab with " + file, e);
        }
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                // only a reservation attempt
            }
        }
    }

    private static boolean inUse(String prefix) {
        try {
            for (NetworkInterface device : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                for (InetAddress address : Collections.list(device.getInetAddresses())) {
                    if (address.getHostAddress().startsWith(prefix)) {
                        return true;
                    }
                }
            }
            return false;
        } catch (SocketException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The server's namespace: server, agent, OpenVPN. */
    String server() {
        return server;
    }

    /** The customer's namespace: the openvpn client, curl. */
    String client() {
        return client;
    }

    /** This JVM's end of the link to the server's namespace. */
    String hostAddress() {
        return hostAddress;
    }

    /** The server's end of the link to this JVM: where its API is reached. */
    String serverHostAddress() {
        return serverHostAddress;
    }

    /**
     * The VPN clients' pool for this lab's server, {@code 10.251.K.0/24} with this lab's K: labs of test runs that
     * share the host each have their own, so a route to it in this namespace is theirs alone.
     */
    String poolNetwork() {
        return "10.251." + subnet + ".0/24";
    }

    /**
     * A second pool, {@code 10.252.K.0/24}, for a second OpenVPN node in the server's namespace (two tun devices in one
     * namespace cannot share a network); this lab's K makes it its own as for {@link #poolNetwork()}.
     */
    String secondPoolNetwork() {
        return "10.252." + subnet + ".0/24";
    }

    /**
     * Drops every UDP datagram to {@code port} arriving in the server's namespace, as if the node listening there had
     * died, until the returned handle is closed (or the namespace goes).
     */
    AutoCloseable silenceUdpPort(int port) {
        String table = "pocketproxy_lab_silence_" + port;
        Shell.require(in(
                        server,
                        "nft",
                        "add table inet " + table + "; add chain inet " + table
                                + " input { type filter hook input priority -300; policy accept; }; add rule inet "
                                + table
                                + " input udp dport " + port + " drop")
                .toArray(String[]::new));
        return () -> Shell.run(in(server, "nft", "delete", "table", "inet", table), Duration.ofSeconds(30));
    }

    /** The pool's first address: the server's own on its tun device. */
    String poolServerAddress() {
        return "10.251." + subnet + ".1";
    }

    /** {@code ip netns exec NAMESPACE} and then {@code command}. */
    static List<String> in(String namespace, String... command) {
        List<String> line = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
        line.addAll(List.of(command));
        return line;
    }

    Shell.Result inServer(String... command) {
        return Shell.run(in(server, command), Duration.ofSeconds(30));
    }

    Shell.Result inClient(Duration timeout, String... command) {
        return Shell.run(in(client, command), timeout);
    }

    /**
     * The resolver programs in the client's namespace ask ({@code /etc/resolv.conf}, which {@code ip netns exec}
     * takes from {@code /etc/netns/<namespace>/}).
     */
    void clientResolver(String nameserver) {
        Path directory = Path.of("/etc/netns", client);
        try {
            Files.createDirectories(directory);
            Files.writeString(
                    directory.resolve("resolv.conf"),
                    "nameserver " + nameserver + "\noptions timeout:2 attempts:1\n",
                    StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        for (String namespace : created) {
            // Whatever still runs in our namespaces is ours (an OpenVPN or PostgreSQL a killed server left).
            Shell.Result pids = Shell.run("ip", "netns", "pids", namespace);
            for (String pid : pids.output().split("\\s+")) {
                if (!pid.isBlank()) {
                    ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
                }
            }
            Shell.run("ip", "netns", "del", namespace);
        }
        Path resolver = Path.of("/etc/netns", client);
        try {
            if (Files.exists(resolver)) {
                try (var files = Files.list(resolver)) {
                    for (Path file : files.toList()) {
                        Files.delete(file);
                    }
                }
                Files.delete(resolver);
            }
            try (var left = Files.list(Path.of("/etc/netns"))) {
                if (left.findAny().isEmpty()) {
                    Files.delete(Path.of("/etc/netns"));
                }
            }
        } catch (IOException e) {
            // /etc/netns never existed, or another lab uses it still
        } finally {
            // Last: the subnet is free again only once nothing of this lab uses it.
            closeQuietly(subnetLock.channel());
        }
    }
}
