package io.pocketproxy.server.openvpn;

import io.pocketproxy.link.HostAndPort;
import io.pocketproxy.relay.openvpn.OpenVpnProtocol;
import java.util.Objects;
import java.util.Optional;

/**
 * One node's OpenVPN endpoint as customers reach it: a {@code remote} line of the profiles.
 *
 * @param host the node's public host ({@code --public-host})
 */
public record OpenVpnRemote(String host, int port, OpenVpnProtocol protocol) {

    public OpenVpnRemote {
        host = HostAndPort.unbracketed(Objects.requireNonNull(host, "host"));
        Objects.requireNonNull(protocol, "protocol");
    }

    /** The remote stored as {@code relays.openvpn_address} and {@code openvpn_proto}; empty if they do not parse. */
    public static Optional<OpenVpnRemote> fromRow(String address, String proto) {
        try {
            return HostAndPort.tryParse(address)
                    .map(parsed -> new OpenVpnRemote(parsed.host(), parsed.port(), OpenVpnProtocol.parse(proto)));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** {@code host:port}, brackets around an IPv6 address: how {@code relays.openvpn_address} holds it. */
    public String address() {
        return HostAndPort.format(host, port);
    }

    /** The profile's line: {@code remote HOST PORT PROTO}, the protocol per remote so nodes may differ in it. */
    public String line() {
        return "remote " + host + " " + port + " " + protocol.clientProto();
    }
}
