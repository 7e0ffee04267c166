package io.pocketproxy.relay.openvpn;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * What the OpenVPN endpoint is told, validated once.
 *
 * @param dataDir the server's data directory: its keys, configuration, socket and log live there, and the names
 *     it owns on the host ({@link OpenVpnNames}) derive from it
 * @param bind the address OpenVPN listens on; {@code 0.0.0.0} for all
 * @param port OpenVPN's port (UDP or TCP as {@code protocol} says)
 * @param network the pool client addresses come from
 * @param startTimeout how long OpenVPN may take to come up
 */
public record OpenVpnSettings(
        Path dataDir,
        OpenVpnPki pki,
        OpenVpnPrerequisites.Tools tools,
        String bind,
        int port,
        OpenVpnProtocol protocol,
        PoolNetwork network,
        Duration startTimeout) {

    public OpenVpnSettings {
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(pki, "pki");
        Objects.requireNonNull(tools, "tools");
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(network, "network");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("openvpn-port: " + port
                    + " (expected: 1-65535; OpenVPN cannot be given a port of the system's choice)");
        }
        if (bind == null || bind.isBlank()) {
            throw new IllegalArgumentException("bind: blank (expected: an IP address such as 127.0.0.1 or 0.0.0.0)");
        }
        if (startTimeout == null || startTimeout.isNegative() || startTimeout.isZero()) {
            throw new IllegalArgumentException("openvpn start timeout: " + startTimeout + " (expected: > 0)");
        }
    }

    public OpenVpnNames names() {
        return OpenVpnNames.of(dataDir);
    }
}
