package io.pocketproxy.relay.openvpn.flows;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.pocketproxy.link.HostAndPort;
import io.pocketproxy.relay.directory.ConnectionRecord;
import io.pocketproxy.relay.directory.ConnectionType;
import io.pocketproxy.relay.tunnel.Completions;
import io.pocketproxy.relay.tunnel.Refusal;
import io.pocketproxy.relay.tunnel.Tunnels;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The OpenVPN protocol step: a customer's TCP flow, diverted to us by the kernel, becomes a tunnel to the flow's
 * original destination through the connection's device. Its "request" is that destination, which the
 * transparent socket shows as its local address; there is no answer to write, since the kernel completed the
 * customer's handshake already. A refusal resets the flow, so the customer's program fails at once rather than
 * waiting for a timeout.
 */
final class FlowTunnel extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(FlowTunnel.class);

    private final Tunnels tunnels;
    private final ConnectionRecord connection;
    private final HostAndPort destination;

    FlowTunnel(Tunnels tunnels, ConnectionRecord connection, HostAndPort destination) {
        this.tunnels = tunnels;
        this.connection = connection;
        this.destination = destination;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        Completions.then(ctx, tunnels.open(connection, ConnectionType.OPENVPN, destination, ctx), (tunnel, failure) -> {
            if (failure != null) {
                Refusal refusal = Refusal.from(failure);
                log.debug(
                        "OpenVPN flow of {} to {} refused: {}",
                        connection.username(),
                        destination,
                        refusal.proxyStatusType());
                reset(ctx.channel());
                return;
            }
            ctx.pipeline().remove(this);
            tunnel.pipe();
        });
        ctx.fireChannelActive();
    }

    /** Closes with a TCP reset (SO_LINGER 0) instead of an orderly FIN: the flow failed, it did not end. */
    static void reset(Channel channel) {
        if (channel.isOpen()) {
            try {
                channel.config().setOption(ChannelOption.SO_LINGER, 0);
            } catch (RuntimeException e) {
                // Closed meanwhile: nothing left to reset.
            }
            channel.close();
        }
    }
}
