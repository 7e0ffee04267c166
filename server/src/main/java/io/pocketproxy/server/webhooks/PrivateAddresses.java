package io.pocketproxy.server.webhooks;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * Addresses a webhook must not reach unless the server allows private webhooks: whatever is not the
 * public internet, where a request on an operator's behalf could read the server's own network or a
 * cloud's metadata service.
 */
final class PrivateAddresses {

    private PrivateAddresses() {}

    static boolean isPrivate(InetAddress address) {
        if (address.isAnyLocalAddress()
                || address.isLoopbackAddress()
                || address.isLinkLocalAddress() // 169.254/16 (cloud metadata), fe80::/10
                || address.isSiteLocalAddress() // 10/8, 172.16/12, 192.168/16, fec0::/10
                || address.isMulticastAddress()) {
            return true;
        }
        byte[] bytes = address.getAddress();
        if (address instanceof Inet4Address) {
            return isPrivateIpv4(bytes);
        }
        if (address instanceof Inet6Address) {
            if ((bytes[0] & 0xfe) == 0xfc) {
                return true; // fc00::/7, unique local
            }
            if (isIpv4Mapped(bytes) || isIpv4Compatible(bytes)) {
                byte[] ipv4 = {bytes[12], bytes[13], bytes[14], bytes[15]};
                try {
                    return isPrivate(InetAddress.getByAddress(ipv4));
                } catch (java.net.UnknownHostException e) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean isPrivateIpv4(byte[] b) {
        int first = b[0] & 0xff;
        int second = b[1] & 0xff;
        return first == 0 // "this network"
                || (first == 100 && second >= 64 && second <= 127) // 100.64/10, carrier-grade NAT
                || (first == 192 && second == 0 && (b[2] & 0xff) == 0) // 192.0.0/24, protocol assignments
                || (first == 198 && (second == 18 || second == 19)) // 198.18/15, benchmarking
                || first >= 240; // 240/4 reserved, and broadcast
    }

    private static boolean isIpv4Mapped(byte[] b) {
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
    }

    private static boolean isIpv4Compatible(byte[] b) {
        for (int i = 0; i < 12; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true; // ::a.b.c.d, deprecated but still routed by some stacks; :: and ::1 are caught above
    }
}
