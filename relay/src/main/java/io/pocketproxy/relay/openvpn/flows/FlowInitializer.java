package io.pocketproxy.relay.openvpn.flows;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.timeout.IdleStateHandler;
import io.pocketproxy.link.HostAndPort;
import io.pocketproxy.relay.tunnel.IdleCloser;
import io.pocketproxy.relay.tunnel.Tunnels;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A TCP flow from an OpenVPN client, accepted by the transparent listener: its source address says which session
 * (and so which connection) it belongs to, its local address is where the client meant to go. Flows to port 53
 * are DNS over TCP and answered by the relay; every other flow becomes a tunnel through the device
 * ({@link FlowTunnel}). A flow from an address no session holds is reset.
 */
@ChannelHandler.Sharable
public final class FlowInitializer extends ChannelInitializer<Channel> {

    private static final int DNS_PORT = 53;

    private final FlowTable flows;
    private final Tunnels tunnels;
    private final Function<VpnSession, ChannelHandler> dnsOverTcp;
    private final Duration idleTimeout;

    /** {@code dnsOverTcp} gives the handler that answers one session's DNS over TCP. */
    public FlowInitializer(
            FlowTable flows, Tunnels tunnels, Function<VpnSession, ChannelHandler> dnsOverTcp, Duration idleTimeout) {
        this.flows = flows;
        this.tunnels = tunnels;
        this.dnsOverTcp = dnsOverTcp;
        this.idleTimeout = idleTimeout;
    }

    @Override
    protected void initChannel(Channel channel) {
        InetSocketAddress source = (InetSocketAddress) channel.remoteAddress();
        InetSocketAddress destination = (InetSocketAddress) channel.localAddress();
        Optional<VpnSession> session = flows.find(source.getAddress());
        if (session.isEmpty() || session.get().ended()) {
            FlowTunnel.reset(channel);
            return;
        }
        session.get().track(channel);
        if (destination.getPort() == DNS_PORT) {
            channel.pipeline()
                    .addLast("idle", new IdleStateHandler(0, 0, idleTimeout.toMillis(), TimeUnit.MILLISECONDS));
            channel.pipeline().addLast("dns-over-tcp", dnsOverTcp.apply(session.get()));
            channel.config().setAutoRead(true);
        } else {
            // Its idle timer starts with its tunnel (Tunnels.open): the device's dialling does not count against it.
            HostAndPort target = new HostAndPort(destination.getAddress().getHostAddress(), destination.getPort());
            channel.pipeline()
                    .addLast("flow", new FlowTunnel(tunnels, session.get().connection(), target));
        }
        channel.pipeline().addLast("errors", new IdleCloser());
    }
}
