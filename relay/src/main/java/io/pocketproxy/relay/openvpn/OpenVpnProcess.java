package io.pocketproxy.relay.openvpn;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code openvpn} child process: its configuration (rewritten at every start), its start, its stop, and the
 * cleanup of one a crashed server left running. Its output goes to {@code <data dir>/openvpn.log}.
 *
 * <p>Nothing secret is on its command line or in its configuration: keys are files it reads (mode 0600), and
 * customers' passwords reach us through the management socket, never OpenVPN's files.
 */
final class OpenVpnProcess {

    private static final Logger log = LoggerFactory.getLogger(OpenVpnProcess.class);
    private static final Duration STOP_WAIT = Duration.ofSeconds(10);

    private OpenVpnProcess() {}

    static Process start(OpenVpnSettings settings, OpenVpnNames names) {
        try {
            OpenVpnPki.write(names.configFile(), configuration(settings, names), false);
            Files.deleteIfExists(names.pidFile());
            ProcessBuilder builder = new ProcessBuilder(
                            settings.tools().openvpn().toString(),
                            "--config",
                            names.configFile().toString())
                    .directory(names.directory().toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(
                            ProcessBuilder.Redirect.appendTo(names.logFile().toFile()));
            builder.environment().clear(); // nothing of ours (database URLs, admin passwords) reaches it
            builder.environment().put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
            return builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + settings.tools().openvpn(), e);
        }
    }

    static String configuration(OpenVpnSettings settings, OpenVpnNames names) {
        PoolNetwork network = settings.network();
        StringBuilder text = new StringBuilder();
        text.append("# Written by PocketProxy at every start; edits here are overwritten.\n");
        text.append("dev ").append(names.tunDevice()).append('\n');
        text.append("dev-type tun\n");
        text.append("proto ").append(settings.protocol().serverProto()).append('\n');
        if (!settings.bind().equals("0.0.0.0") && !settings.bind().equals("::")) {
            text.append("local ").append(settings.bind()).append('\n');
        }
        text.append("port ").append(settings.port()).append('\n');
        text.append("topology subnet\n");
        text.append("server ")
                .append(network.networkAddress())
                .append(' ')
                .append(network.netmask())
                .append('\n');
        // Customers sign in with their connection's username and password, checked by us; no client certificates.
        text.append("verify-client-cert none\n");
        text.append("username-as-common-name\n");
        text.append("duplicate-cn\n"); // one connection, several of the customer's machines
        text.append("management ").append(names.managementSocket()).append(" unix\n");
        text.append("management-client\n");
        text.append("management-client-auth\n");
        text.append("ca ").append(settings.pki().caCertificateFile()).append('\n');
        text.append("cert ").append(settings.pki().serverCertificateFile()).append('\n');
        text.append("key ").append(settings.pki().serverKeyFile()).append('\n');
        text.append("tls-crypt ").append(settings.pki().tlsCryptKeyFile()).append('\n');
        text.append("dh none\n");
        text.append("tls-version-min 1.2\n");
        text.append("data-ciphers AES-256-GCM:CHACHA20-POLY1305\n");
        text.append("allow-compression no\n");
        // All of the client's IPv4 into the tunnel. IPv6 is not carried: a dual-stack client would send it around
        // the device (its DNS too), so it gets an address and routes that put its IPv6 into the tunnel, where
        // OpenVPN answers every IPv6 packet with "no route to host" (block-ipv6) and the client falls back to IPv4.
        text.append("push \"redirect-gateway def1 ipv6\"\n");
        text.append("push \"ifconfig-ipv6 ")
                .append(names.clientIpv6())
                .append(' ')
                .append(names.clientIpv6Gateway())
                .append("\"\n");
        text.append("block-ipv6\n");
        text.append("push \"dhcp-option DNS ")
                .append(network.serverAddress().getHostAddress())
                .append("\"\n");
        text.append("keepalive 10 60\n");
        if (settings.protocol() == OpenVpnProtocol.UDP) {
            text.append("explicit-exit-notify 1\n"); // clients reconnect at once after our restart
        }
        text.append("writepid ").append(names.pidFile()).append('\n');
        // No "user nobody": OpenVPN 2.6 reads the tls-crypt key again for each new client, and the keys are ours
        // alone (0600). It keeps root, and runs no script.
        text.append("verb 3\n");
        return text.toString();
    }

    /** SIGTERM, then SIGKILL if it has not gone after a while. */
    static void stop(Process process) {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("OpenVPN (pid {}) ignored SIGTERM for {} s; killing it", process.pid(), STOP_WAIT.toSeconds());
                process.destroyForcibly();
                process.waitFor(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    /**
     * An OpenVPN of ours that a killed server left running (it stops itself when our management socket closes,
     * but it may still be on its way out): stopped before anything else starts.
     */
    static void stopLeftover(OpenVpnNames names) {
        Optional<ProcessHandle> leftover = readPid(names.pidFile())
                .flatMap(ProcessHandle::of)
                .filter(process -> process.info()
                        .commandLine()
                        .map(line -> line.contains("openvpn")
                                && line.contains(names.configFile().toString()))
                        .orElse(false));
        if (leftover.isPresent()) {
            ProcessHandle process = leftover.get();
            log.warn("stopping OpenVPN (pid {}) left running by a server that did not shut down", process.pid());
            process.destroy();
            try {
                process.onExit().get(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                process.destroyForcibly();
            }
        }
        try {
            Files.deleteIfExists(names.pidFile());
        } catch (IOException e) {
            log.debug("cannot remove {}", names.pidFile(), e);
        }
    }

    private static Optional<Long> readPid(Path pidFile) {
        try {
            List<String> lines = Files.readAllLines(pidFile, StandardCharsets.US_ASCII);
            return lines.isEmpty()
                    ? Optional.empty()
                    : Optional.of(Long.parseLong(lines.get(0).strip()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** The last lines OpenVPN wrote, to say why it did not start. */
    static String logTail(Path logFile, int lines) {
        try {
            List<String> all = Files.readAllLines(logFile, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | RuntimeException e) {
            return "(" + logFile + " is unreadable: " + e.getMessage() + ")";
        }
    }
}
