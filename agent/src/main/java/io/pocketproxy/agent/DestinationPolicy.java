package io.pocketproxy.agent;

import io.pocketproxy.link.PrivateAddresses;
import java.net.InetAddress;

/**
 * Keeps customers off the device's own networks: a proxy that reaches the phone's loopback, its Wi-Fi
 * LAN or the carrier's internal network would hand those to whoever buys a connection. Checked on the
 * resolved address, so a DNS name pointing inward is refused too; {@link PrivateAddresses} says which
 * addresses are private.
 */
public final class DestinationPolicy {

    private final boolean allowPrivate;

    public DestinationPolicy(boolean allowPrivate) {
        this.allowPrivate = allowPrivate;
    }

    public boolean allows(InetAddress address) {
        return allowPrivate || !PrivateAddresses.isPrivate(address);
    }
}
