package io.pocketproxy.agent;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HostAndPortTest {

    @Test
    void readsNamesAddressesAndBracketedIpv6() {
        assertThat(HostAndPort.parse("example.com:443")).contains(new HostAndPort("example.com", 443));
        assertThat(HostAndPort.parse("10.0.0.1:80")).contains(new HostAndPort("10.0.0.1", 80));
        assertThat(HostAndPort.parse("[2001:db8::1]:8080")).contains(new HostAndPort("2001:db8::1", 8080));
        assertThat(new HostAndPort("2001:db8::1", 8080)).hasToString("[2001:db8::1]:8080");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "example.com",
                ":80",
                "example.com:",
                "example.com:0",
                "example.com:65536",
                "2001:db8::1:80",
                "host:http"
            })
    void refusesWhatIsNotHostColonPort(String authority) {
        assertThat(HostAndPort.parse(authority)).isEmpty();
    }
}
