package io.pocketproxy.relay.openvpn;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * The IPv4 network OpenVPN hands its clients' addresses from ({@code --openvpn-network}, default
 * {@code 10.8.0.0/16}). Its first address is the server's own on the tun device, which is also the resolver
 * the profile pushes.
 */
public record PoolNetwork(int network, int prefixLength) {

    /** Fewer than this leaves too few addresses to be worth a server (a /29 has five clients). */
    public static final int LONGEST_PREFIX = 29;

    public static final int SHORTEST_PREFIX = 8;

    public PoolNetwork {
        if (prefixLength < SHORTEST_PREFIX || prefixLength > LONGEST_PREFIX) {
            throw new IllegalArgumentException("openvpn-network: /" + prefixLength + " (expected: a prefix from /"
                    + SHORTEST_PREFIX + " to /" + LONGEST_PREFIX + ")");
        }
        if ((network & ~mask(prefixLength)) != 0) {
            throw new IllegalArgumentException("openvpn-network: " + format(network) + "/" + prefixLength
                    + " has host bits set (expected: the network's first address, such as "
                    + format(network & mask(prefixLength)) + "/" + prefixLength + ")");
        }
    }

    /** {@code a.b.c.d/n}. */
    public static PoolNetwork parse(String text) {
        if (text == null || !text.matches("\\d{1,3}(\\.\\d{1,3}){3}/\\d{1,2}")) {
            throw new IllegalArgumentException(
                    "openvpn-network: " + text + " (expected: an IPv4 network such as 10.8.0.0/16)");
        }
        String[] parts = text.split("/");
        String[] octets = parts[0].split("\\.");
        int address = 0;
        for (String octet : octets) {
            int value = Integer.parseInt(octet);
            if (value > 255) {
                throw new IllegalArgumentException(
                        "openvpn-network: " + text + " (expected: an IPv4 network such as 10.8.0.0/16)");
            }
            address = (address << 8) | value;
        }
        return new PoolNetwork(address, Integer.parseInt(parts[1]));
    }

    /** The server's address on its tun device: the network's first host address. */
    public InetAddress serverAddress() {
        return toAddress(network + 1);
    }

    public String netmask() {
        return format(mask(prefixLength));
    }

    public String networkAddress() {
        return format(network);
    }

    public boolean contains(InetAddress address) {
        if (!(address instanceof Inet4Address)) {
            return false;
        }
        byte[] bytes = address.getAddress();
        int value =
                ((bytes[0] & 0xff) << 24) | ((bytes[1] & 0xff) << 16) | ((bytes[2] & 0xff) << 8) | (bytes[3] & 0xff);
        return (value & mask(prefixLength)) == network;
    }

    /** Whether the two networks share an address. */
    public boolean overlaps(int otherNetwork, int otherPrefix) {
        int shorter = Math.min(prefixLength, otherPrefix);
        return (network & mask(shorter)) == (otherNetwork & mask(shorter));
    }

    @Override
    public String toString() {
        return format(network) + "/" + prefixLength;
    }

    private static int mask(int prefix) {
        return prefix == 0 ? 0 : -1 << (32 - prefix);
    }

    static String format(int address) {
        return ((address >>> 24) & 0xff) + "." + ((address >>> 16) & 0xff) + "." + ((address >>> 8) & 0xff) + "."
                + (address & 0xff);
    }

    private static InetAddress toAddress(int address) {
        try {
            return InetAddress.getByAddress(
                    new byte[] {(byte) (address >>> 24), (byte) (address >>> 16), (byte) (address >>> 8), (byte) address
                    });
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // four bytes are always an address
        }
    }
}
