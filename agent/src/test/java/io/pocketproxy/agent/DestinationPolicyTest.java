package io.pocketproxy.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.UnknownHostException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DestinationPolicyTest {

    @ParameterizedTest
    @ValueSource(
            strings = {
                "127.0.0.1",
                "127.8.9.10",
                "10.1.2.3",
                "172.16.0.1",
                "192.168.1.1",
                "169.254.169.254",
                "100.64.0.1",
                "100.127.255.254",
                "0.0.0.0",
                "224.0.0.1",
                "255.255.255.255",
                "::1",
                "fe80::1",
                "fc00::1",
                "fd12:3456::1",
                "::ffff:127.0.0.1",
                "::",
                "ff02::1"
            })
    void refusesTheDevicesOwnNetworks(String address) throws UnknownHostException {
        assertThat(new DestinationPolicy(false).allows(InetAddress.getByName(address)))
                .isFalse();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {"1.1.1.1", "8.8.8.8", "100.63.255.255", "100.128.0.1", "2606:4700:4700::1111", "93.184.216.34"})
    void allowsThePublicInternet(String address) throws UnknownHostException {
        assertThat(new DestinationPolicy(false).allows(InetAddress.getByName(address)))
                .isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "10.0.0.1", "::1"})
    void allowsPrivateTargetsWhenTold(String address) throws UnknownHostException {
        assertThat(new DestinationPolicy(true).allows(InetAddress.getByName(address)))
                .isTrue();
    }
}
