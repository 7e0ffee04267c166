package io.pocketproxy.link;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Fuzzes the judgement behind the agent's destination policy and the webhook check. Two properties with
 * oracles of their own: whatever the JDK itself calls loopback, link-local, site-local, unspecified or
 * multicast is private; and an IPv4 address is judged the same in every IPv6 form that carries it (mapped,
 * compatible, translated, NAT64, 6to4, Teredo), so no spelling of {@code 127.0.0.1} gets through.
 */
class PrivateAddressesFuzzTest {

    @FuzzTest
    void callsPrivateWhatTheJdkCallsLocal(FuzzedDataProvider data) throws UnknownHostException {
        InetAddress address = InetAddress.getByAddress(padded(data, data.consumeBoolean() ? 16 : 4));
        if (address.isAnyLocalAddress()
                || address.isLoopbackAddress()
                || address.isLinkLocalAddress()
                || address.isSiteLocalAddress()
                || address.isMulticastAddress()) {
            assertThat(PrivateAddresses.isPrivate(address)).as("%s", address).isTrue();
        }
    }

    @FuzzTest
    void judgesAnIpv4AddressAlikeInEveryIpv6FormThatCarriesIt(FuzzedDataProvider data) throws UnknownHostException {
        byte[] v4 = padded(data, 4);
        boolean expected = PrivateAddresses.isPrivate(InetAddress.getByAddress(v4));
        byte[] inverted = {(byte) ~v4[0], (byte) ~v4[1], (byte) ~v4[2], (byte) ~v4[3]};
        byte[][] carriers = {
            v6(new int[] {0, 0, 0, 0, 0, 0xffff}, v4, 12), // ::ffff:a.b.c.d
            v6(new int[] {0, 0, 0, 0, 0, 0}, v4, 12), // ::a.b.c.d
            v6(new int[] {0, 0, 0, 0, 0xffff, 0}, v4, 12), // ::ffff:0:a.b.c.d
            v6(new int[] {0x64, 0xff9b, 0, 0, 0, 0}, v4, 12), // 64:ff9b::a.b.c.d
            v6(new int[] {0x2002}, v4, 2), // 2002:a.b.c.d::
            v6(new int[] {0x2001, 0, 0x4136, 0xe378, 0x8000, 0x63bf}, inverted, 12), // Teredo
        };
        for (byte[] carrier : carriers) {
            InetAddress address = InetAddress.getByAddress(carrier);
            assertThat(PrivateAddresses.isPrivate(address))
                    .as("%s carrying %s", address, InetAddress.getByAddress(v4))
                    .isEqualTo(expected);
        }
    }

    private static byte[] padded(FuzzedDataProvider data, int length) {
        byte[] bytes = new byte[length];
        byte[] given = data.consumeBytes(length);
        System.arraycopy(given, 0, bytes, 0, given.length);
        return bytes;
    }

    private static byte[] v6(int[] leadingWords, byte[] v4, int at) {
        byte[] bytes = new byte[16];
        for (int i = 0; i < leadingWords.length; i++) {
            bytes[2 * i] = (byte) (leadingWords[i] >> 8);
            bytes[2 * i + 1] = (byte) leadingWords[i];
        }
        System.arraycopy(v4, 0, bytes, at, 4);
        return bytes;
    }
}
