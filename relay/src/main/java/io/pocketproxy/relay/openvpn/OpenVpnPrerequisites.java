package io.pocketproxy.relay.openvpn;

import io.netty.channel.epoll.Epoll;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Whether this host lets the server run its OpenVPN endpoint, and if not, why, in one sentence an operator can
 * act on: Linux with Netty's epoll transport (transparent sockets), the {@code openvpn} (2.5 or newer),
 * {@code nft} and {@code ip} programs, {@code /dev/net/tun}, and {@code CAP_NET_ADMIN} (tun device, netfilter
 * rules, policy routing, {@code IP_TRANSPARENT}).
 */
public final class OpenVpnPrerequisites {

    /** Bit 12 of the capability sets in {@code /proc/self/status}. */
    private static final int CAP_NET_ADMIN = 12;

    private static final Pattern VERSION = Pattern.compile("OpenVPN (\\d+)\\.(\\d+)");
    private static final List<Path> SYSTEM_DIRECTORIES =
            List.of(Path.of("/usr/sbin"), Path.of("/sbin"), Path.of("/usr/bin"), Path.of("/bin"));

    private OpenVpnPrerequisites() {}

    /** The programs the endpoint runs, found on this host. */
    public record Tools(Path openvpn, Path nft, Path ip) {}

    /** The outcome: the tools, or the reason the endpoint cannot run here. */
    public sealed interface Probe {
        record Ready(Tools tools) implements Probe {}

        record Missing(String reason) implements Probe {}
    }

    public static Probe probe() {
        String os = System.getProperty("os.name", "");
        if (!os.toLowerCase(Locale.ROOT).contains("linux")) {
            return new Probe.Missing("OpenVPN needs Linux (tun devices, netfilter); this host runs " + os);
        }
        if (!Epoll.isAvailable()) {
            return new Probe.Missing("Netty's native epoll transport is unavailable here ("
                    + Epoll.unavailabilityCause() + "); OpenVPN's flows need its transparent sockets");
        }
        Optional<Path> openvpn = find("openvpn");
        if (openvpn.isEmpty()) {
            return new Probe.Missing("the openvpn program was not found (install Debian's openvpn package)");
        }
        Optional<String> tooOld = tooOld(openvpn.get());
        if (tooOld.isPresent()) {
            return new Probe.Missing(tooOld.get());
        }
        Optional<Path> nft = find("nft");
        if (nft.isEmpty()) {
            return new Probe.Missing("the nft program was not found (install Debian's nftables package)");
        }
        Optional<Path> ip = find("ip");
        if (ip.isEmpty()) {
            return new Probe.Missing("the ip program was not found (install Debian's iproute2 package)");
        }
        if (!Files.exists(Path.of("/dev/net/tun"))) {
            return new Probe.Missing(
                    "/dev/net/tun is missing (load the tun module; in a container, pass the device in)");
        }
        Status status = Status.read();
        if (!status.hasCapability(CAP_NET_ADMIN)) {
            return new Probe.Missing("this process lacks CAP_NET_ADMIN, which a tun device and netfilter rules need"
                    + " (run as root, or see the README for the capabilities to grant)");
        }
        Commands.Result tables = Commands.run(nft.get().toString(), "list", "tables");
        if (!tables.succeeded()) {
            return new Probe.Missing("netfilter cannot be changed here (nft list tables: " + tables.output() + ")");
        }
        return new Probe.Ready(new Tools(openvpn.get(), nft.get(), ip.get()));
    }

    private static Optional<String> tooOld(Path openvpn) {
        // "openvpn --version" exits with 1 on some versions, after printing its version: only the text counts.
        String output = Commands.run(openvpn.toString(), "--version").output();
        Matcher matcher = VERSION.matcher(output);
        if (!matcher.find()) {
            return Optional.of(openvpn + " --version printed no version (expected: OpenVPN 2.5 or newer)");
        }
        int major = Integer.parseInt(matcher.group(1));
        int minor = Integer.parseInt(matcher.group(2));
        if (major < 2 || (major == 2 && minor < 5)) {
            return Optional.of(openvpn + " is OpenVPN " + major + "." + minor + " (expected: 2.5 or newer)");
        }
        return Optional.empty();
    }

    /** Whether this process runs as root (uid 0), as the tests and bench labs that build namespaces need. */
    public static boolean runsAsRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return line.substring(4).strip().split("\\s+")[1].equals("0");
                }
            }
        } catch (IOException | RuntimeException e) {
            // unreadable: not root as far as we can tell
        }
        return false;
    }

    /** Where {@code program} is: on the {@code PATH}, or in the system directories a user's PATH often lacks. */
    public static Optional<Path> find(String program) {
        List<Path> directories = new ArrayList<>();
        for (String entry : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!entry.isBlank()) {
                directories.add(Path.of(entry));
            }
        }
        directories.addAll(SYSTEM_DIRECTORIES); // sbin is often missing from a user's PATH
        return directories.stream()
                .map(directory -> directory.resolve(program))
                .filter(Files::isExecutable)
                .findFirst();
    }

    /** What {@code /proc/self/status} says about our privileges. */
    private record Status(long effectiveCapabilities) {
        static Status read() {
            try {
                for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                    if (line.startsWith("CapEff:")) {
                        return new Status(
                                Long.parseUnsignedLong(line.substring(7).strip(), 16));
                    }
                }
            } catch (IOException | RuntimeException e) {
                // Unreadable: as if we had no capability at all.
            }
            return new Status(0);
        }

        boolean hasCapability(int bit) {
            return (effectiveCapabilities & (1L << bit)) != 0;
        }
    }
}
