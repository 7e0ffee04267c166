package io.pocketproxy.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class HostAndPortTest {

    @ParameterizedTest
    @CsvSource({
        "example.com:443, example.com, 443",
        "EXAMPLE.com.:80, EXAMPLE.com., 80",
        "_srv.my-host.example:8080, _srv.my-host.example, 8080",
        "10.0.0.1:1, 10.0.0.1, 1",
        "[2001:db8::1]:65535, 2001:db8::1, 65535",
        "[::1]:80, ::1, 80",
        "[::ffff:127.0.0.1]:8443, ::ffff:127.0.0.1, 8443",
        "2130706433:80, 2130706433, 80"
    })
    void readsNamesAddressesAndBracketedIpv6(String text, String host, int port) {
        assertThat(HostAndPort.parse(text)).isEqualTo(new HostAndPort(host, port));
    }

    @ParameterizedTest
    @ValueSource(strings = {"example.com:443", "10.0.0.1:80", "[2001:db8::1]:8080", "[::1]:1"})
    void writesWhatItReads(String text) {
        assertThat(HostAndPort.parse(text)).hasToString(text);
    }

    @Test
    void bracketsAnIpv6HostWhenWritten() {
        assertThat(new HostAndPort("2001:db8::1", 8080)).hasToString("[2001:db8::1]:8080");
        assertThat(new HostAndPort("[2001:db8::1]", 8080).host()).isEqualTo("2001:db8::1");
        assertThat(HostAndPort.format("::", 0)).isEqualTo("[::]:0");
        assertThat(HostAndPort.format("0.0.0.0", 8081)).isEqualTo("0.0.0.0:8081");
        assertThat(HostAndPort.bracketed("[::1]")).isEqualTo("[::1]");
        assertThat(HostAndPort.unbracketed("[::1]")).isEqualTo("::1");
        assertThat(HostAndPort.unbracketed("example.com")).isEqualTo("example.com");
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "''| address: missing (expected: host:port)",
                "example.com| address: example.com has no port (expected: host:port)",
                ":80| address: :80 has no host (expected: host:port)",
                "example.com:| address: example.com: has no valid port (expected: host:port, port 1-65535)",
                "example.com:http| address: example.com:http has no valid port (expected: host:port, port 1-65535)",
                "example.com:+80| address: example.com:+80 has no valid port (expected: host:port, port 1-65535)",
                "example.com:-1| address: example.com:-1 has no valid port (expected: host:port, port 1-65535)",
                "example.com:0| port: 0 (expected: 1-65535)",
                "example.com:65536| port: 65536 (expected: 1-65535)",
                "example.com:000080| address: example.com:000080 has no valid port (expected: host:port, port 1-65535)",
                "::1:80| address: ::1:80 is ambiguous (expected: an IPv6 address in brackets, such as [2001:db8::1]:443)",
                "2001:db8::1:80| address: 2001:db8::1:80 is ambiguous (expected: an IPv6 address in brackets, such as"
                        + " [2001:db8::1]:443)",
                "[2001:db8::1]| address: [2001:db8::1] has no port (expected: [ipv6]:port)",
                "[2001:db8::1:80| address: [2001:db8::1:80 has no closing ']' (expected: [ipv6]:port)",
                "[example.com]:80| address: [example.com]:80 has no IPv6 address in its brackets (expected: [ipv6]:port)",
                "[::1]x80| address: [::1]x80 has no port (expected: [ipv6]:port)",
                "user@example.com:80| host: user@example.com has the character '@' (expected: letters, digits, '-', '.'"
                        + " and '_')",
                "example.com/path:80| host: example.com/path has the character '/' (expected: letters, digits, '-',"
                        + " '.' and '_')",
                "exa mple.com:80| host: exa mple.com has the character ' ' (expected: letters, digits, '-', '.' and"
                        + " '_')"
            })
    void refusesWhatIsNotHostColonPortAndSaysWhy(String text, String message) {
        assertThatThrownBy(() -> HostAndPort.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(message);
        assertThat(HostAndPort.tryParse(text)).isEmpty();
    }

    @Test
    void showsControlCharactersEscapedInItsErrors() {
        assertThatThrownBy(() -> HostAndPort.parse("evil\r\nX-Forged: 1:80"))
                .hasMessageContaining("evil\\x0d\\x0aX-Forged")
                .hasMessageNotContaining("\n");
    }

    @Test
    void takesAnIpv6ZoneOnlyWhenItIsAnInterfaceName() {
        assertThat(HostAndPort.parse("[fe80::1%eth0]:80").host()).isEqualTo("fe80::1%eth0");
        // Found by HostAndPortFuzzTest: the zone was not checked, so a host could carry a line break onwards.
        assertThatThrownBy(() -> HostAndPort.parse("[fe80::1%\r\nX-Forged: 1]:80"))
                .hasMessageNotContaining("\n");
        assertThatThrownBy(() -> HostAndPort.ofSocks5((byte) 0x04, "fe80::1%", 80))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void refusesANameLongerThanDnsAllows() {
        String longest = "a".repeat(255);
        assertThat(HostAndPort.parse(longest + ":80").host()).isEqualTo(longest);
        assertThatThrownBy(() -> HostAndPort.parse(longest + "a:80"))
                .hasMessage("host: 256 characters (expected: at most 255)");
    }

    @Test
    void buildsASocks5DestinationFromItsAddressType() {
        assertThat(HostAndPort.ofSocks5((byte) 0x01, "192.0.2.1", 443)).hasToString("192.0.2.1:443");
        assertThat(HostAndPort.ofSocks5((byte) 0x03, "example.com", 80)).hasToString("example.com:80");
        assertThat(HostAndPort.ofSocks5((byte) 0x04, "2001:db8::1", 22)).hasToString("[2001:db8::1]:22");
    }

    @Test
    void refusesASocks5AddressThatDoesNotMatchItsType() {
        assertThatThrownBy(() -> HostAndPort.ofSocks5((byte) 0x01, "example.com", 80))
                .hasMessage("SOCKS5 address: example.com does not match its type 0x01"
                        + " (expected: 0x01 with IPv4, 0x03 with a name, 0x04 with IPv6)");
        assertThatThrownBy(() -> HostAndPort.ofSocks5((byte) 0x04, "10.0.0.1", 80))
                .hasMessageContaining("does not match its type 0x04");
        assertThatThrownBy(() -> HostAndPort.ofSocks5((byte) 0x02, "10.0.0.1", 80))
                .hasMessage("SOCKS5 address type: 0x02 (expected: 0x01, 0x03 or 0x04)");
        assertThatThrownBy(() -> HostAndPort.ofSocks5((byte) 0x03, "example.com", 0))
                .hasMessage("port: 0 (expected: 1-65535)");
    }

    @Test
    void tellsAnAddressFromAName() {
        assertThat(HostAndPort.parse("10.0.0.1:80").isIpLiteral()).isTrue();
        assertThat(HostAndPort.parse("[::1]:80").isIpLiteral()).isTrue();
        assertThat(HostAndPort.parse("example.com:80").isIpLiteral()).isFalse();
    }
}
