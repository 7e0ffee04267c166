package io.pocketproxy.relay.openvpn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class PoolNetworkTest {

    @Test
    void givesTheServerTheFirstAddressAndTheNetmaskOpenVpnWants() throws Exception {
        PoolNetwork network = PoolNetwork.parse("10.8.0.0/16");

        assertThat(network.serverAddress()).isEqualTo(InetAddress.getByName("10.8.0.1"));
        assertThat(network.netmask()).isEqualTo("255.255.0.0");
        assertThat(network.networkAddress()).isEqualTo("10.8.0.0");
        assertThat(network).hasToString("10.8.0.0/16");
        assertThat(network.contains(InetAddress.getByName("10.8.255.7"))).isTrue();
        assertThat(network.contains(InetAddress.getByName("10.9.0.1"))).isFalse();
    }

    @Test
    void tellsOverlappingNetworksApart() {
        PoolNetwork network = PoolNetwork.parse("10.8.0.0/16");

        assertThat(network.overlaps(PoolNetwork.parse("10.8.4.0/24").network(), 24))
                .isTrue();
        assertThat(network.overlaps(PoolNetwork.parse("10.0.0.0/8").network(), 8))
                .isTrue();
        assertThat(network.overlaps(PoolNetwork.parse("10.9.0.0/16").network(), 16))
                .isFalse();
    }

    @Test
    void refusesWhatIsNotAUsablePoolSayingWhatIsExpected() {
        assertThatThrownBy(() -> PoolNetwork.parse("10.8.0.1/16"))
                .hasMessage("openvpn-network: 10.8.0.1/16 has host bits set (expected: the network's first address,"
                        + " such as 10.8.0.0/16)");
        assertThatThrownBy(() -> PoolNetwork.parse("10.8.0.0/30"))
                .hasMessage("openvpn-network: /30 (expected: a prefix from /8 to /29)");
        assertThatThrownBy(() -> PoolNetwork.parse("fd00::/64"))
                .hasMessage("openvpn-network: fd00::/64 (expected: an IPv4 network such as 10.8.0.0/16)");
        assertThatThrownBy(() -> PoolNetwork.parse("10.300.0.0/16")).hasMessageContaining("expected: an IPv4 network");
    }
}
