package io.pocketproxy.app;

import io.netty.util.NetUtil;
import io.pocketproxy.agent.Agent;
import io.pocketproxy.agent.AgentConfig;
import io.pocketproxy.agent.command.DeviceCommand;
import io.pocketproxy.agent.egress.EgressPath;
import io.pocketproxy.agent.egress.EgressProbe;
import io.pocketproxy.agent.health.LinuxHealth;
import io.pocketproxy.agent.health.PeriodicHealth;
import io.pocketproxy.agent.health.StatusCommandHealth;
import io.pocketproxy.link.HostAndPort;
import io.pocketproxy.link.PairingString;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "agent",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Runs the device agent: links to a relay and carries customers' traffic out of this machine.")
final class AgentCommand implements Callable<Integer> {

    // Plain options rather than an exclusive group: picocli does not let the environment (POCKETPROXY_PAIR) satisfy
    // a required group, and the environment is where the pairing string belongs. config() checks the combination.
    @Option(
            names = "--pair",
            paramLabel = "STRING",
            description =
                    "The pairing string shown when the device was created (prefer --pair-file or POCKETPROXY_PAIR:"
                            + " command lines are visible to local users).")
    String pairing;

    @Option(
            names = "--pair-file",
            paramLabel = "FILE",
            description = "A file holding the pairing string (keep it readable by the agent's user alone).")
    Path pairingFile;

    @Option(
            names = "--relay",
            paramLabel = "HOST:PORT[,HOST:PORT...]",
            description = "The relay's link address (with --token); a farm's relays comma-separated, tried in turn.")
    String relay;

    @Option(
            names = "--token",
            paramLabel = "TOKEN",
            description = "The device token (prefer POCKETPROXY_TOKEN: command lines are visible to local users).")
    String token;

    @Option(
            names = "--relay-fingerprint",
            paramLabel = "SHA256",
            description = "The relay certificate's SHA-256 (base64url) to pin; without it the system CAs are trusted.")
    String fingerprint;

    @Spec
    CommandSpec spec;

    @Option(
            names = "--allow-private-targets",
            defaultValue = "false",
            description =
                    "Let customers reach loopback and private networks through this device (off: they are refused).")
    boolean allowPrivateTargets;

    @Option(
            names = "--status-command",
            paramLabel = "CMD",
            description = "A command (run by sh -c every 30 s, for 10 s at most) that"
                    + " prints a JSON object with any of battery_percent, charging, signal_dbm, network_type,"
                    + " carrier. Without it the agent reads /sys/class/power_supply and ModemManager (mmcli).")
    String statusCommand;

    @Option(
            names = "--egress-ip-url",
            paramLabel = "URL",
            description = "A plain-text \"what is my IP\" service (http:// or https://) to measure the egress IP"
                    + " with, instead of asking the relay.")
    String egressIpUrl;

    @Option(
            names = "--rotate-command",
            paramLabel = "CMD",
            description = "A command (run by sh -c, for 60 s at most) that gives this device a new IP when an operator"
                    + " rotates it: a modem reconnect, airplane mode off and on. Without it rotations fail.")
    String rotateCommand;

    @Option(
            names = "--bind-interface",
            paramLabel = "IFACE",
            description = "Customers' connections, name lookups and the egress IP measurement leave from this network"
                    + " interface's current address (one agent per modem on a multi-modem host).")
    String bindInterface;

    @Option(
            names = "--bind-address",
            paramLabel = "ADDR",
            description = "As --bind-interface, from this local address.")
    String bindAddress;

    @Option(
            names = "--dns",
            paramLabel = "SERVERS",
            description = "DNS servers to resolve customers' names with, comma-separated IP[:port] ([IPv6]:port)"
                    + " (default: the host's resolvers).")
    String dns;

    static final Duration ROTATE_COMMAND_TIMEOUT = Duration.ofSeconds(60);

    /** How often the device's health is measured: as often as the relay asks for it by default. */
    static final Duration HEALTH_INTERVAL = Duration.ofSeconds(30);

    static final Duration STATUS_COMMAND_TIMEOUT = Duration.ofSeconds(10);

    @Override
    public Integer call() throws InterruptedException {
        AgentConfig config = config();
        PeriodicHealth health = health();
        UntilStopped.await(Agent.start(config, health), health);
        return 0;
    }

    /** The operator's status command, or what Linux tells. */
    PeriodicHealth health() {
        if (statusCommand != null) {
            return PeriodicHealth.start(
                    "--status-command",
                    new StatusCommandHealth(
                            new DeviceCommand("--status-command", statusCommand, STATUS_COMMAND_TIMEOUT)),
                    HEALTH_INTERVAL);
        }
        return PeriodicHealth.start(
                "reading the battery and ModemManager", LinuxHealth.ofThisMachine(), HEALTH_INTERVAL);
    }

    AgentConfig config() {
        AgentConfig config = linkConfig();
        if (statusCommand != null && statusCommand.trim().isEmpty()) {
            throw new IllegalArgumentException("--status-command: empty (expected: a command to run)");
        }
        config = config.withEgress(egressPath(), dnsServers());
        if (rotateCommand != null) {
            config = config.withRotateCommand(
                    new DeviceCommand("--rotate-command", rotateCommand, ROTATE_COMMAND_TIMEOUT));
        }
        if (egressIpUrl == null) {
            return config;
        }
        try {
            return config.withEgressIpUrl(EgressProbe.Service.ofUrl(egressIpUrl));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--egress-ip-url: " + e.getMessage(), e);
        }
    }

    private EgressPath egressPath() {
        if (bindInterface != null && bindAddress != null) {
            throw new IllegalArgumentException(
                    "--bind-interface and --bind-address: both given (expected: one, or neither)");
        }
        if (bindInterface != null) {
            try {
                return EgressPath.ofInterface(bindInterface);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--bind-interface: " + e.getMessage(), e);
            }
        }
        if (bindAddress != null) {
            InetAddress address = NetUtil.createInetAddressFromIpAddressString(bindAddress.trim());
            if (address == null) {
                throw new IllegalArgumentException(
                        "--bind-address: " + bindAddress + " is not an IP address (expected: one of this host's)");
            }
            return EgressPath.ofAddress(address);
        }
        return EgressPath.system();
    }

    private List<InetSocketAddress> dnsServers() {
        List<InetSocketAddress> servers = new ArrayList<>();
        if (dns == null) {
            return servers;
        }
        for (String server : dns.split(",", -1)) {
            String text = server.trim();
            InetAddress plain = NetUtil.createInetAddressFromIpAddressString(text);
            try {
                if (plain != null) {
                    servers.add(new InetSocketAddress(plain, 53));
                    continue;
                }
                HostAndPort withPort = HostAndPort.parse(text);
                InetAddress address = NetUtil.createInetAddressFromIpAddressString(withPort.host());
                if (address == null) {
                    throw new IllegalArgumentException("not an IP address");
                }
                servers.add(new InetSocketAddress(address, withPort.port()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "--dns: " + (text.isEmpty() ? "an empty entry" : text)
                                + " (expected: IP addresses with an optional port, comma-separated: 192.0.2.53,"
                                + " [2001:db8::53]:5353)",
                        e);
            }
        }
        return servers;
    }

    private AgentConfig linkConfig() {
        CommandLineSecrets.warnAbout(spec);
        int ways = (pairing != null ? 1 : 0) + (pairingFile != null ? 1 : 0) + (relay != null || token != null ? 1 : 0);
        if (ways != 1) {
            throw new IllegalArgumentException((ways == 0 ? "no relay to link to" : "more than one relay to link to")
                    + " (expected: one of --pair-file FILE, POCKETPROXY_PAIR, --pair STRING, or --relay HOST:PORT with"
                    + " --token TOKEN)");
        }
        if (fingerprint != null && relay == null) {
            throw new IllegalArgumentException(
                    "--relay-fingerprint without --relay (expected: it with --relay; a pairing string carries its own)");
        }
        if (pairing != null) {
            return AgentConfig.fromPairing(PairingString.parse(pairing.strip()), allowPrivateTargets);
        }
        if (pairingFile != null) {
            return AgentConfig.fromPairing(PairingString.parse(readPairing(pairingFile)), allowPrivateTargets);
        }
        if (relay == null || token == null) {
            throw new IllegalArgumentException((relay == null ? "--token without --relay" : "--relay without --token")
                    + " (expected: both, or a pairing string instead)");
        }
        List<HostAndPort> relays = new ArrayList<>();
        for (String address : relay.split(",", -1)) {
            try {
                relays.add(HostAndPort.parse(address.strip()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--relay: " + e.getMessage(), e);
            }
        }
        HostAndPort first = relays.get(0);
        return AgentConfig.of(first.host(), first.port(), token.strip(), fingerprint, allowPrivateTargets)
                .withRelays(relays);
    }

    private static String readPairing(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new UncheckedIOException("--pair-file: cannot read " + file, e);
        }
    }
}
