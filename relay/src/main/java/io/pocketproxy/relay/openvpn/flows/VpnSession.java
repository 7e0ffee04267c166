package io.pocketproxy.relay.openvpn.flows;

import io.netty.channel.Channel;
import io.pocketproxy.relay.directory.ConnectionRecord;
import java.net.InetAddress;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One signed-in OpenVPN client: its OpenVPN client id, the connection it signed in as, and the address the
 * pool gave it, which is how its flows are told apart from every other client's.
 */
public final class VpnSession {

    private final long clientId;
    private final ConnectionRecord connection;
    private final InetAddress address;
    private final Runnable kill;
    private final AtomicBoolean ended = new AtomicBoolean();
    private final Set<Channel> flows = ConcurrentHashMap.newKeySet();

    /** {@code kill} asks OpenVPN to end the session; it runs at most once, from {@link #end()}. */
    public VpnSession(long clientId, ConnectionRecord connection, InetAddress address, Runnable kill) {
        this.clientId = clientId;
        this.connection = connection;
        this.address = address;
        this.kill = kill;
    }

    public long clientId() {
        return clientId;
    }

    public ConnectionRecord connection() {
        return connection;
    }

    public InetAddress address() {
        return address;
    }

    /** Ends the session: once, however many times the connection's tunnels are closed meanwhile. */
    public void end() {
        if (ended.compareAndSet(false, true)) {
            kill.run();
        }
    }

    public boolean ended() {
        return ended.get();
    }

    /** Keeps {@code flow} until it closes, so that the session's end can close it. */
    public void track(Channel flow) {
        flows.add(flow);
        flow.closeFuture().addListener(closed -> flows.remove(flow));
    }

    /**
     * Closes the session's flows: its client is gone, and a later client given the same address must not find
     * them.
     */
    public void closeFlows() {
        for (Channel flow : flows) {
            flow.close();
        }
    }

    public int openFlows() {
        return flows.size();
    }

    @Override
    public String toString() {
        return "VpnSession[cid=" + clientId + ", " + connection.username() + " at " + address.getHostAddress() + "]";
    }
}
