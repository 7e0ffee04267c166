package io.pocketproxy.link;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * Which addresses are not the public internet: the one judgement behind the agent's destination policy
 * (a customer must not reach the phone's own networks) and the server's webhook check (an operator's URL
 * must not reach the server's network or a cloud's metadata service). Both ask about resolved addresses,
 * so every spelling of a host ({@code 2130706433}, {@code 127.1}, a DNS name pointing inward) is judged
 * by the address it actually dials.
 *
 * <p>IPv6 forms that carry an IPv4 address are judged by that address, since that is where the packets
 * end up: IPv4-mapped {@code ::ffff:0:0/96}, IPv4-compatible {@code ::/96} (deprecated, still routed by
 * some stacks), IPv4-translated {@code ::ffff:0:0:0/96}, NAT64 {@code 64:ff9b::/96} (an IPv6-only phone
 * network reaches every IPv4 site through it, so it must stay open for public IPv4), 6to4
 * {@code 2002::/16} and Teredo {@code 2001::/32} (its client address, stored inverted). The local-use
 * NAT64 prefix {@code 64:ff9b:1::/48} is private outright: its embedding is the operator's choice and it
 * never leaves the operator's network.
 */
public final class PrivateAddresses {

    private PrivateAddresses() {}

    /** Whether {@code address} is anything but a unicast address of the public internet. */
    public static boolean isPrivate(InetAddress address) {
        byte[] bytes = address.getAddress();
        if (address instanceof Inet4Address) {
            return isPrivateIpv4(bytes, 0);
        }
        if (address instanceof Inet6Address) {
            return isPrivateIpv6(bytes);
        }
        return true; // an address family we do not know is no place to send a customer
    }

    private static boolean isPrivateIpv4(byte[] b, int at) {
        int a0 = b[at] & 0xff;
        int a1 = b[at + 1] & 0xff;
        int a2 = b[at + 2] & 0xff;
        return a0 == 0 // 0/8 "this network"
                || a0 == 10 // 10/8 private
                || a0 == 127 // 127/8 loopback
                || (a0 == 100 && a1 >= 64 && a1 <= 127) // 100.64/10 carrier-grade NAT
                || (a0 == 169 && a1 == 254) // 169.254/16 link-local, cloud metadata
                || (a0 == 172 && a1 >= 16 && a1 <= 31) // 172.16/12 private
                || (a0 == 192 && a1 == 0 && a2 == 0) // 192.0.0/24 IETF protocol assignments
                || (a0 == 192 && a1 == 0 && a2 == 2) // 192.0.2/24 documentation
                || (a0 == 192 && a1 == 168) // 192.168/16 private
                || (a0 == 198 && (a1 == 18 || a1 == 19)) // 198.18/15 benchmarking
                || (a0 == 198 && a1 == 51 && a2 == 100) // 198.51.100/24 documentation
                || (a0 == 203 && a1 == 0 && a2 == 113) // 203.0.113/24 documentation
                || a0 >= 224; // 224/4 multicast, 240/4 reserved, 255.255.255.255 broadcast
    }

    private static boolean isPrivateIpv6(byte[] b) {
        int w0 = word(b, 0);
        int w1 = word(b, 2);
        if (zeros(b, 0, 10) && word(b, 10) == 0xffff) {
            return isPrivateIpv4(b, 12); // ::ffff:a.b.c.d, IPv4-mapped
        }
        if (zeros(b, 0, 12)) {
            // ::a.b.c.d, IPv4-compatible; :: and ::1 (unspecified, loopback) land in 0/8
            return isPrivateIpv4(b, 12);
        }
        if (zeros(b, 0, 8) && word(b, 8) == 0xffff && word(b, 10) == 0) {
            return isPrivateIpv4(b, 12); // ::ffff:0:a.b.c.d, IPv4-translated (SIIT)
        }
        if (w0 == 0x0064 && w1 == 0xff9b) {
            if (zeros(b, 4, 8)) {
                return isPrivateIpv4(b, 12); // 64:ff9b::/96, well-known NAT64
            }
            return true; // 64:ff9b:1::/48 local-use NAT64, and the rest of 64:ff9b::/32 (not allocated)
        }
        if (w0 == 0x2002) {
            return isPrivateIpv4(b, 2); // 2002:a.b.c.d::/48, 6to4
        }
        if (w0 == 0x2001 && w1 == 0x0000) {
            // Teredo: the client's public IPv4 sits in the last four bytes, every bit inverted.
            byte[] client = {(byte) ~b[12], (byte) ~b[13], (byte) ~b[14], (byte) ~b[15]};
            return isPrivateIpv4(client, 0);
        }
        if (w0 < 0x2000 || w0 >= 0x4000) {
            // Outside 2000::/3, the only global unicast space ever allocated: 100::/64 discard-only,
            // fc00::/7 unique local, fe80::/10 link-local, fec0::/10 site-local, ff00::/8 multicast, ...
            return true;
        }
        return (w0 == 0x2001 && w1 == 0x0db8) // 2001:db8::/32 documentation
                || (w0 == 0x3fff && w1 < 0x1000) // 3fff::/20 documentation
                || (w0 == 0x2001 && w1 == 0x0002 && word(b, 4) == 0); // 2001:2::/48 benchmarking
    }

    private static int word(byte[] b, int at) {
        return ((b[at] & 0xff) << 8) | (b[at + 1] & 0xff);
    }

    private static boolean zeros(byte[] b, int from, int count) {
        for (int i = from; i < from + count; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }
}
