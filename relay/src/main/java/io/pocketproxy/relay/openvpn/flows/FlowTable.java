package io.pocketproxy.relay.openvpn.flows;

import java.net.InetAddress;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Which OpenVPN session a flow belongs to, by the flow's source: the address OpenVPN gave the client from its
 * pool. OpenVPN itself drops packets whose source is not the sending client's address (its own anti-spoofing),
 * so the source address is as good as the client's identity. A flow from an address with no session is
 * refused.
 */
public final class FlowTable {

    private final ConcurrentMap<InetAddress, VpnSession> byAddress = new ConcurrentHashMap<>();

    /** The session now using {@code session.address()}; a session OpenVPN gave the same address before is gone. */
    public void add(VpnSession session) {
        byAddress.put(session.address(), session);
    }

    /** Forgets {@code session}, unless its address already belongs to a newer one. */
    public void remove(VpnSession session) {
        byAddress.remove(session.address(), session);
    }

    public Optional<VpnSession> find(InetAddress source) {
        return Optional.ofNullable(byAddress.get(source));
    }

    public int size() {
        return byAddress.size();
    }

    public void clear() {
        byAddress.clear();
    }
}
