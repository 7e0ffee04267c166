package io.pocketproxy.app.openvpn;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * What the OpenVPN end-to-end tests need from the machine: root (network namespaces, tun devices, netfilter),
 * and the {@code ip}, {@code openvpn}, {@code nft} and {@code curl} programs. In CI ({@code CI=true}) a
 * missing one fails the run; on a developer's machine the tests are skipped with one line saying why.
 */
final class LabPrerequisites {

    private LabPrerequisites() {}

    static void requireOrSkip() {
        List<String> missing = new ArrayList<>();
        if (!root()) {
            missing.add("root");
        }
        for (String program : List.of("ip", "openvpn", "nft", "curl")) {
            if (find(program) == null) {
                missing.add("the " + program + " program");
            }
        }
        if (!Files.exists(Path.of("/dev/net/tun"))) {
            missing.add("/dev/net/tun");
        }
        if (missing.isEmpty()) {
            return;
        }
        String reason = "OpenVPN end-to-end tests need " + String.join(", ", missing)
                + " (.ci/run installs openvpn, nftables, iproute2 and curl, and CI runs as root)";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new AssertionError(reason);
        }
        System.err.println("SKIPPED: " + reason);
        Assumptions.abort(reason);
    }

    static Path find(String program) {
        for (String directory :
                (System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/sbin:/usr/bin:/bin").split(":")) {
            if (!directory.isBlank() && Files.isExecutable(Path.of(directory, program))) {
                return Path.of(directory, program);
            }
        }
        return null;
    }

    private static boolean root() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return line.substring(4).strip().split("\\s+")[1].equals("0");
                }
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }
}
