package io.pocketproxy.agent;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * Keeps customers off the device's own networks: a proxy that reaches the phone's loopback, its Wi-Fi
 * LAN or the carrier's internal network would hand those to whoever buys a connection. Checked on the
 * resolved address, so a DNS name pointing inward is refused too.
 */
public final class DestinationPolicy {

    private final boolean allowPrivate;

    public DestinationPolicy(boolean allowPrivate) {
        this.allowPrivate = allowPrivate;
    }

    public boolean allows(InetAddress address) {
        return allowPrivate || isPublic(address);
    }

    /** Whether {@code address} is routable on the public internet. */
    public static boolean isPublic(InetAddress address) {
        if (address.isAnyLocalAddress()
                || address.isLoopbackAddress()
                || address.isLinkLocalAddress()
                || address.isSiteLocalAddress()
                || address.isMulticastAddress()) {
            return false;
        }
        byte[] bytes = address.getAddress();
        if (address instanceof Inet4Address) {
            int first = bytes[0] & 0xff;
            int second = bytes[1] & 0xff;
            return first != 0 // "this network"
                    && !(first == 100 && second >= 64 && second <= 127) // CGNAT 100.64/10
                    && !(first == 192 && second == 0 && (bytes[2] & 0xff) == 0) // IETF protocol assignments
                    && !(first == 198 && (second == 18 || second == 19)) // benchmarking
                    && first < 240; // reserved and broadcast
        }
        if (address instanceof Inet6Address) {
            int first = bytes[0] & 0xff;
            if ((first & 0xfe) == 0xfc) {
                return false; // unique local fc00::/7
            }
            if (isIpv4Mapped(bytes)) {
                try {
                    byte[] v4 = {bytes[12], bytes[13], bytes[14], bytes[15]};
                    return isPublic(InetAddress.getByAddress(v4));
                } catch (java.net.UnknownHostException e) {
                    return false;
                }
            }
        }
        return true;
    }

    private static boolean isIpv4Mapped(byte[] bytes) {
        for (int i = 0; i < 10; i++) {
            if (bytes[i] != 0) {
                return false;
            }
        }
        return (bytes[10] & 0xff) == 0xff && (bytes[11] & 0xff) == 0xff;
    }
}
