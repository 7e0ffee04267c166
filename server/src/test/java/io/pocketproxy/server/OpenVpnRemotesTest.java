package io.pocketproxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.pocketproxy.relay.openvpn.OpenVpnProtocol;
import io.pocketproxy.server.farm.RelayMembership;
import io.pocketproxy.server.openvpn.OpenVpnRemote;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Which nodes a profile lists: live relays running OpenVPN with the profile's keys and the farm's link certificate,
 * oldest first; not a relay with other keys or another certificate (a client would be refused there, or could not be
 * forwarded to its device), nor a dead one, nor one without OpenVPN.
 */
class OpenVpnRemotesTest {

    private static final String KEYS = "keys-of-the-server";
    private static final String CERTIFICATE = "certificate-of-the-farm-" + UUID.randomUUID();

    @RegisterExtension
    static final RunningServer server = new RunningServer();

    @Test
    void listsTheLiveNodesWithTheProfilesKeysAndTheFarmsCertificateOldestFirst() {
        OpenVpnRemote first = new OpenVpnRemote("vpn-a.example.net", 1194, OpenVpnProtocol.UDP);
        OpenVpnRemote second = new OpenVpnRemote("2001:db8::7", 443, OpenVpnProtocol.TCP);
        try (RelayMembership a = node("a", KEYS, CERTIFICATE, first);
                RelayMembership otherKeys = node("b", "keys-of-another-server", CERTIFICATE, remote("b"));
                RelayMembership otherCertificate = node("c", KEYS, "a-stranger", remote("c"));
                RelayMembership withoutOpenVpn = node("d", KEYS, CERTIFICATE, null);
                RelayMembership dead = node("e", KEYS, CERTIFICATE, remote("e"));
                RelayMembership b = node("f", KEYS, CERTIFICATE, second)) {
            server.jdbi()
                    .useHandle(handle -> handle.execute(
                            "UPDATE relays SET last_seen_at = now() - interval '31 seconds' WHERE id = ?", dead.id()));

            List<OpenVpnRemote> listed =
                    server.jdbi().withHandle(handle -> RelayMembership.liveOpenVpnRemotes(handle, KEYS, CERTIFICATE));

            assertThat(listed).containsExactly(first, second);
            assertThat(second.line()).isEqualTo("remote 2001:db8::7 443 tcp-client");
        }
    }

    private static OpenVpnRemote remote(String name) {
        return new OpenVpnRemote("vpn-" + name + ".example.net", 1194, OpenVpnProtocol.UDP);
    }

    private static RelayMembership node(String name, String keys, String certificate, OpenVpnRemote openvpn) {
        RelayMembership membership = RelayMembership.join(server.jdbi(), "relay " + name);
        membership.listening("relay-" + name + ".example.net:" + (8400 + name.charAt(0)), name, certificate);
        if (openvpn != null) {
            membership.servingOpenVpn(openvpn, keys);
        }
        return membership;
    }
}
