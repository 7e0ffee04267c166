package io.pocketproxy.relay.openvpn.management;

import java.net.InetAddress;

/** What the OpenVPN server tells us about its clients; called on the management channel's event loop. */
public interface ManagementListener {

    /** OpenVPN connected to the management socket and finished its initialization: clients can come. */
    void up();

    /** A client wants in (or wants to stay, at a renegotiation); every request must be answered. */
    void clientRequest(ClientRequest request);

    /** A client we let in is up, with this address from the pool. */
    void clientEstablished(long clientId, InetAddress poolAddress);

    /** A client is gone (it left, timed out, or was killed). */
    void clientDisconnected(long clientId);

    /** The management connection ended: OpenVPN stopped, and all its clients with it. */
    void closed();
}
