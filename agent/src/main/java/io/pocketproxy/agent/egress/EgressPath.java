package io.pocketproxy.agent.egress;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Enumeration;

/**
 * Where the device's outgoing connections leave from: the system's choice, one local address ({@code
 * --bind-address}), or one network interface's current address ({@code --bind-interface}, read again for every
 * connection, since a modem that reconnects gets a new one). One host with several modems runs an agent per modem,
 * each bound to its own; the host's source routing ({@code ip rule from ADDR table N}) sends each address's packets
 * out through its modem.
 */
public final class EgressPath {

    private final String interfaceName;
    private final InetAddress address;

    private EgressPath(String interfaceName, InetAddress address) {
        this.interfaceName = interfaceName;
        this.address = address;
    }

    /** The system chooses (the default route). */
    public static EgressPath system() {
        return new EgressPath(null, null);
    }

    public static EgressPath ofInterface(String name) {
        if (name == null || name.trim().isEmpty()) {
            throw new IllegalArgumentException("empty (expected: a network interface name, such as wwan0)");
        }
        return new EgressPath(name.trim(), null);
    }

    public static EgressPath ofAddress(InetAddress address) {
        return new EgressPath(null, address);
    }

    public boolean isBound() {
        return interfaceName != null || address != null;
    }

    /**
     * The local address a connection to {@code target} leaves from now, of the target's family; {@code null} when the
     * system chooses.
     *
     * @throws IOException saying why this path cannot reach the target now (no such interface, no address of that
     *     family on it)
     */
    public InetAddress localAddressFor(InetAddress target) throws IOException {
        boolean ipv6 = target instanceof Inet6Address;
        if (address != null) {
            if ((address instanceof Inet6Address) != ipv6) {
                throw new IOException("--bind-address " + address.getHostAddress() + " cannot reach an IPv"
                        + (ipv6 ? "6" : "4") + " destination");
            }
            return address;
        }
        if (interfaceName == null) {
            return null;
        }
        NetworkInterface device;
        try {
            device = NetworkInterface.getByName(interfaceName);
        } catch (SocketException e) {
            throw new IOException("cannot read network interface " + interfaceName + ": " + e.getMessage(), e);
        }
        if (device == null) {
            throw new IOException("no network interface " + interfaceName);
        }
        for (Enumeration<InetAddress> addresses = device.getInetAddresses(); addresses.hasMoreElements(); ) {
            InetAddress candidate = addresses.nextElement();
            boolean family = ipv6 ? candidate instanceof Inet6Address : candidate instanceof Inet4Address;
            if (family && !candidate.isLinkLocalAddress()) {
                return candidate;
            }
        }
        throw new IOException(interfaceName + " has no IPv" + (ipv6 ? "6" : "4") + " address now");
    }

    @Override
    public String toString() {
        return interfaceName != null
                ? "interface " + interfaceName
                : address != null ? "address " + address.getHostAddress() : "the system's route";
    }
}
