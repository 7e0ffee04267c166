package io.pocketproxy.link;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.NetUtil;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PrivateAddressesTest {

    @ParameterizedTest
    @ValueSource(
            strings = {
                "0.0.0.0",
                "0.1.2.3", // this network
                "10.0.0.1",
                "10.255.255.255", // private
                "100.64.0.1",
                "100.127.255.254", // carrier-grade NAT
                "127.0.0.1",
                "127.8.9.10", // loopback
                "169.254.169.254", // link-local: cloud metadata
                "172.16.0.1",
                "172.31.255.255", // private
                "192.0.0.8",
                "192.0.2.1",
                "198.51.100.7",
                "203.0.113.9", // protocol assignments, documentation
                "192.168.1.1", // private
                "198.18.0.1",
                "198.19.255.255", // benchmarking
                "224.0.0.1",
                "239.255.255.250", // multicast
                "240.0.0.1",
                "255.255.255.255" // reserved, broadcast
            })
    void refusesEveryIpv4RangeOutsideThePublicInternet(String address) {
        assertThat(PrivateAddresses.isPrivate(ip(address))).isTrue();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "1.1.1.1",
                "8.8.8.8",
                "93.184.216.34",
                "100.63.255.255",
                "100.128.0.1",
                "172.15.255.255",
                "172.32.0.1",
                "192.0.1.1",
                "192.169.0.1",
                "198.17.255.255",
                "198.20.0.1",
                "223.255.255.255"
            })
    void allowsPublicIpv4(String address) {
        assertThat(PrivateAddresses.isPrivate(ip(address))).isFalse();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "::", // unspecified
                "::1", // loopback
                "fe80::1", // link-local
                "fec0::1", // site-local
                "fc00::1",
                "fd12:3456::1", // unique local
                "ff02::1",
                "ff0e::1", // multicast
                "100::1", // discard-only
                "2001:db8::1",
                "3fff::1", // documentation
                "2001:2::1", // benchmarking
                "4000::1",
                "1234::1", // never allocated
                "::ffff:127.0.0.1",
                "::ffff:10.0.0.1",
                "::ffff:169.254.169.254", // IPv4-mapped
                "::127.0.0.1",
                "::10.1.2.3",
                "::192.168.0.1", // IPv4-compatible
                "::ffff:0:127.0.0.1",
                "::ffff:0:192.168.0.1", // IPv4-translated
                "64:ff9b::127.0.0.1",
                "64:ff9b::a00:1",
                "64:ff9b::169.254.169.254", // NAT64 to a private address
                "64:ff9b:1::8.8.8.8",
                "64:ff9b:1:a00::1", // local-use NAT64, whatever it embeds
                "2002:7f00:1::1",
                "2002:c0a8:101::1",
                "2002:a9fe:a9fe::", // 6to4 of 127.0.0.1, 192.168.1.1, 169.254.169.254
                "2001:0:4136:e378:8000:63bf:80ff:fffe", // Teredo, client 127.0.0.1 (inverted)
                "2001:0:4136:e378:8000:63bf:f5ff:fffe" // Teredo, client 10.0.0.1 (inverted)
            })
    void refusesEveryIpv6FormOfAPrivateAddress(String address) {
        assertThat(PrivateAddresses.isPrivate(ipv6(address))).isTrue();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "2606:4700:4700::1111",
                "2a00:1450:4001:82a::200e",
                "::ffff:8.8.8.8", // IPv4-mapped
                "::8.8.8.8", // IPv4-compatible
                "::ffff:0:8.8.8.8", // IPv4-translated
                "64:ff9b::8.8.8.8", // NAT64: how an IPv6-only phone network reaches public IPv4
                "2002:808:808::1", // 6to4 of 8.8.8.8
                "2001:0:4136:e378:8000:63bf:f7f7:f7f7" // Teredo, client 8.8.8.8 (inverted)
            })
    void allowsEveryIpv6FormOfAPublicAddress(String address) {
        assertThat(PrivateAddresses.isPrivate(ipv6(address))).isFalse();
    }

    @Test
    void judgesAnIpv4MappedAddressTheSameWhicheverClassCarriesIt() {
        // Java hands ::ffff:a.b.c.d back as an Inet4Address; a socket API may hand the 16 bytes.
        assertThat(ip("::ffff:127.0.0.1")).isInstanceOf(Inet4Address.class);
        assertThat(PrivateAddresses.isPrivate(ip("::ffff:127.0.0.1"))).isTrue();
        assertThat(PrivateAddresses.isPrivate(ipv6("::ffff:127.0.0.1"))).isTrue();
        assertThat(PrivateAddresses.isPrivate(ip("::ffff:8.8.8.8"))).isFalse();
    }

    /**
     * Numeric spellings Java's own parser reads without asking DNS: what it reads is what the agent dials,
     * and that is what is judged. Java takes a leading zero as decimal, so {@code 0177.0.0.1} is
     * 177.0.0.1, a public address, and that address is the one dialled.
     */
    @Test
    void judgesTheAddressJavaReadsFromEachNumericSpelling() throws UnknownHostException {
        assertThat(PrivateAddresses.isPrivate(InetAddress.getByName("2130706433")))
                .isTrue(); // 127.0.0.1 as one number
        assertThat(PrivateAddresses.isPrivate(InetAddress.getByName("127.1"))).isTrue();
        assertThat(PrivateAddresses.isPrivate(InetAddress.getByName("10.1"))).isTrue();
        assertThat(PrivateAddresses.isPrivate(InetAddress.getByName("000127.0.0.1")))
                .isTrue();
        assertThat(InetAddress.getByName("0177.0.0.1").getHostAddress()).isEqualTo("177.0.0.1");
        assertThat(PrivateAddresses.isPrivate(InetAddress.getByName("0177.0.0.1")))
                .isFalse();
    }

    /** Netty's literal parser, which the agent tries first, reads leading zeros as decimal too. */
    @Test
    void judgesTheAddressNettyReadsFromASpelling() {
        assertThat(PrivateAddresses.isPrivate(NetUtil.createInetAddressFromIpAddressString("127.0.0.01")))
                .isTrue();
        assertThat(PrivateAddresses.isPrivate(NetUtil.createInetAddressFromIpAddressString("0:0:0:0:0:0:0:1")))
                .isTrue();
        assertThat(PrivateAddresses.isPrivate(NetUtil.createInetAddressFromIpAddressString("::127.0.0.1")))
                .isTrue();
    }

    /**
     * Hex and octal spellings are no literal to Java or Netty: they go to the system resolver, which may
     * read them as C's inet_aton does. Whatever it answers is judged like any resolved name.
     */
    @ParameterizedTest
    @ValueSource(strings = {"0x7f000001", "0x7f.0.0.1", "0x7f.1", "017700000001"})
    void leavesHexAndOctalSpellingsToTheResolverWhoseAnswerIsJudged(String spelling) {
        assertThat(NetUtil.createInetAddressFromIpAddressString(spelling)).isNull();
        for (InetAddress resolved : resolve(spelling)) {
            assertThat(PrivateAddresses.isPrivate(resolved))
                    .as("%s resolved to %s", spelling, resolved)
                    .isTrue();
        }
    }

    private static InetAddress[] resolve(String host) {
        try {
            return InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            return new InetAddress[0];
        }
    }

    /** A literal as Java parses it (no DNS is asked for a literal). */
    private static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new AssertionError(literal + " is no IP literal", e);
        }
    }

    /** An IPv6 literal kept as its 16 bytes, even where Java would hand back an IPv4 address. */
    private static InetAddress ipv6(String literal) {
        InetAddress parsed = ip(literal);
        byte[] bytes = parsed.getAddress();
        if (parsed instanceof Inet4Address) {
            bytes = new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1, -1, bytes[0], bytes[1], bytes[2], bytes[3]};
        }
        try {
            return Inet6Address.getByAddress(null, bytes, -1);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
