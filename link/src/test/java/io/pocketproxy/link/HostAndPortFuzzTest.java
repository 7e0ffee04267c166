package io.pocketproxy.link;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzzes the one {@code host:port} parser behind CONNECT targets, SOCKS5 destinations and command-line
 * addresses: it refuses with an {@link IllegalArgumentException} whose message cannot forge a log line, or
 * returns an address that prints as text it reads back to the same address.
 */
class HostAndPortFuzzTest {

    @FuzzTest
    void readsAnAuthorityOrRefusesItWithAPrintableReason(FuzzedDataProvider data) {
        String authority = data.consumeRemainingAsString();
        HostAndPort address;
        try {
            address = HostAndPort.parse(authority);
        } catch (IllegalArgumentException refused) {
            assertPrintable(refused.getMessage());
            return;
        }
        assertRoundTrips(address);
    }

    @FuzzTest
    void readsASocks5DestinationOrRefusesIt(FuzzedDataProvider data) {
        byte type = data.consumeByte();
        int port = data.consumeInt(0, 65535);
        String host = data.consumeRemainingAsString();
        HostAndPort address;
        try {
            address = HostAndPort.ofSocks5(type, host, port);
        } catch (IllegalArgumentException refused) {
            assertPrintable(refused.getMessage());
            return;
        }
        assertThat(type).isIn((byte) 0x01, (byte) 0x03, (byte) 0x04);
        if (type != 0x03) {
            assertThat(address.isIpLiteral()).as("an address of type %s", type).isTrue();
        }
        assertRoundTrips(address);
    }

    private static void assertRoundTrips(HostAndPort address) {
        assertThat(address.port()).isBetween(1, 65535);
        assertPrintable(address.host());
        assertThat(HostAndPort.parse(address.toString())).isEqualTo(address);
    }

    /** No control characters: the value or message may end up in a log line or a Proxy-Status header. */
    static void assertPrintable(String text) {
        assertThat(text).isNotNull();
        assertThat(text.chars()).noneMatch(c -> c < 0x20 || c == 0x7f);
    }
}
