package io.pocketproxy.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PairingStringTest {

    private static final String TOKEN = "ppd_abcdefghijklmnopqrstuvwxyz012345";
    private static final String FINGERPRINT = "q1w2e3r4t5y6u7i8o9p0a1s2d3f4g5h6j7k8l9z0x1c";

    @Test
    void roundTripsThroughItsTextForm() {
        PairingString pairing = new PairingString("relay.example.com", 8443, TOKEN, FINGERPRINT);

        String text = pairing.toString();

        assertThat(text).isEqualTo("pocketproxy://" + TOKEN + "@relay.example.com:8443?fp=" + FINGERPRINT);
        assertThat(PairingString.parse(text)).isEqualTo(pairing);
    }

    @Test
    void bracketsAnIpv6RelayAndParsesItBack() {
        PairingString pairing = new PairingString("::1", 8443, TOKEN, FINGERPRINT);

        assertThat(pairing.relayAddress()).isEqualTo("[::1]:8443");
        assertThat(PairingString.parse(pairing.toString()).relayHost()).isEqualTo("::1");
    }

    @Test
    void namesAFarmsRelaysInTurnAndParsesThemBack() {
        PairingString farm = new PairingString(
                List.of(new HostAndPort("relay-a.example.com", 8443), new HostAndPort("::1", 9443)),
                TOKEN,
                FINGERPRINT);

        String text = farm.toString();

        assertThat(text).isEqualTo("pocketproxy://" + TOKEN + "@relay-a.example.com:8443,[::1]:9443?fp=" + FINGERPRINT);
        assertThat(PairingString.parse(text)).isEqualTo(farm);
        assertThat(PairingString.parse(text).relayAddress()).isEqualTo("relay-a.example.com:8443");
    }

    @Test
    void toleratesSurroundingWhitespaceFromACopyPaste() {
        String text = "  pocketproxy://" + TOKEN + "@10.0.0.1:8443?fp=" + FINGERPRINT + "\n";

        assertThat(PairingString.parse(text).relayAddress()).isEqualTo("10.0.0.1:8443");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "http://" + TOKEN + "@host:8443?fp=" + FINGERPRINT,
                "pocketproxy://host:8443?fp=" + FINGERPRINT,
                "pocketproxy://" + TOKEN + "@host?fp=" + FINGERPRINT,
                "pocketproxy://" + TOKEN + "@host:8443",
                "pocketproxy://" + TOKEN + "@host:8443?fp=short",
                "pocketproxy://" + TOKEN + "@host:70000?fp=" + FINGERPRINT,
                "pocketproxy://" + TOKEN + "@host:8443,?fp=" + FINGERPRINT,
                "pocketproxy://" + TOKEN + "@host:8443,,other:8443?fp=" + FINGERPRINT,
                "pocketproxy://" + TOKEN + "@host:8443,::1:8443?fp=" + FINGERPRINT,
                "pocketproxy://" + TOKEN + "@?fp=" + FINGERPRINT,
                "not a pairing string at all"
            })
    void rejectsMalformedStrings(String text) {
        assertThatThrownBy(() -> PairingString.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected");
    }

    @Test
    void neverRepeatsTheTokenInAnError() {
        String text = "pocketproxy://" + TOKEN + "@host:8443?fp=short";

        assertThatThrownBy(() -> PairingString.parse(text)).message().doesNotContain(TOKEN);
    }
}
