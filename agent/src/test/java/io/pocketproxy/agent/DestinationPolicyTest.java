package io.pocketproxy.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.NetUtil;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The policy's own switch; which addresses are private is PrivateAddressesTest's (link) to say. */
class DestinationPolicyTest {

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "10.1.2.3", "192.168.1.1", "::1", "fd12:3456::1"})
    void refusesTheDevicesOwnNetworks(String address) {
        assertThat(new DestinationPolicy(false).allows(NetUtil.createInetAddressFromIpAddressString(address)))
                .isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.1.1.1", "93.184.216.34", "2606:4700:4700::1111"})
    void allowsThePublicInternet(String address) {
        assertThat(new DestinationPolicy(false).allows(NetUtil.createInetAddressFromIpAddressString(address)))
                .isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "10.0.0.1", "::1"})
    void allowsPrivateTargetsWhenTold(String address) {
        assertThat(new DestinationPolicy(true).allows(NetUtil.createInetAddressFromIpAddressString(address)))
                .isTrue();
    }
}
