package io.pocketproxy.server.openvpn;

import static org.assertj.core.api.Assertions.assertThat;

import io.pocketproxy.relay.openvpn.OpenVpnPki;
import io.pocketproxy.relay.openvpn.OpenVpnProtocol;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProfileWriterTest {

    @TempDir
    Path dataDir;

    @Test
    void pinsTheServersCaAndTlsCryptKeyWithTheCredentialsInline() {
        OpenVpnPki pki = OpenVpnPki.loadOrCreate(dataDir);
        ProfileWriter writer = new ProfileWriter(pki, new OpenVpnRemote("vpn.example.net", 1194, OpenVpnProtocol.UDP));

        String profile = writer.profile("ppabc123", Optional.of("s3cretPassw0rd"));

        assertThat(profile)
                .contains("client\n", "dev tun\n", "proto udp\n", "remote vpn.example.net 1194 udp\n")
                .contains("remote-cert-tls server\n", "tls-version-min 1.2\n")
                .contains("data-ciphers AES-256-GCM:CHACHA20-POLY1305\n")
                .contains("<auth-user-pass>\nppabc123\ns3cretPassw0rd\n</auth-user-pass>\n")
                .contains("<ca>\n" + pki.caCertificatePem().strip() + "\n</ca>\n")
                .contains("<tls-crypt>\n" + pki.tlsCryptKey().strip() + "\n</tls-crypt>\n")
                .doesNotContain("comp-lzo", "compress", "PocketProxy", "remote-random");
    }

    @Test
    void listsEveryNodeOfTheFarmAsARemoteTriedInRandomOrder() {
        List<OpenVpnRemote> farm =
                new ArrayList<>(List.of(new OpenVpnRemote("vpn-a.example.net", 1194, OpenVpnProtocol.UDP)));
        ProfileWriter writer = new ProfileWriter(OpenVpnPki.loadOrCreate(dataDir), () -> List.copyOf(farm));
        farm.add(new OpenVpnRemote("vpn-b.example.net", 443, OpenVpnProtocol.TCP));

        String profile = writer.profile("ppabc123", Optional.empty());

        assertThat(profile)
                .contains("proto udp\n", "remote vpn-a.example.net 1194 udp\nremote vpn-b.example.net 443 tcp-client\n")
                .contains("remote-random\n", "server-poll-timeout 10\n");
    }

    @Test
    void letsTheClientAskForCredentialsWhenWrittenWithoutThem() {
        ProfileWriter writer = new ProfileWriter(
                OpenVpnPki.loadOrCreate(dataDir), new OpenVpnRemote("[2001:db8::1]", 443, OpenVpnProtocol.TCP));

        String profile = writer.profile("ppabc123", Optional.empty());

        assertThat(profile).contains("\nauth-user-pass\n", "proto tcp-client\n", "remote 2001:db8::1 443 tcp-client\n");
        assertThat(profile).doesNotContain("<auth-user-pass>");
        assertThat(ProfileWriter.fileName("ppabc123")).isEqualTo("ppabc123.ovpn");
    }
}
