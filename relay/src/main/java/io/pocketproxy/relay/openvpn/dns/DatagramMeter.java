package io.pocketproxy.relay.openvpn.dns;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.DatagramPacket;
import io.pocketproxy.relay.metering.Meter;
import io.pocketproxy.relay.metering.Meters;
import io.pocketproxy.relay.openvpn.flows.FlowTable;
import io.pocketproxy.relay.openvpn.flows.VpnSession;
import java.net.InetSocketAddress;
import java.util.Optional;

/**
 * Counts DNS messages over UDP against the connection of the session they come from or go to, both ways, as a
 * tunnel's meter counts its bytes: a query or an answer is passed on only when the meter grants all of it. One
 * the limit cuts into is not delivered (half a datagram is no message); its granted part reaches the limit,
 * and the connection's tunnels and session end. Datagrams from an address no session holds are dropped.
 */
final class DatagramMeter extends ChannelDuplexHandler {

    private final FlowTable flows;
    private final Meters meters;

    DatagramMeter(FlowTable flows, Meters meters) {
        this.flows = flows;
        this.meters = meters;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof DatagramPacket packet) {
            if (!take(packet.sender(), packet.content().readableBytes())) {
                packet.release();
                return;
            }
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof DatagramPacket packet) {
            if (!take(packet.recipient(), packet.content().readableBytes())) {
                packet.release();
                promise.trySuccess();
                return;
            }
        }
        ctx.write(msg, promise);
    }

    private boolean take(InetSocketAddress client, int bytes) {
        Optional<VpnSession> session = flows.find(client.getAddress());
        if (session.isEmpty() || session.get().ended()) {
            return false;
        }
        Meter meter = meters.meterFor(session.get().connection());
        if (meter.exhausted()) {
            return false;
        }
        int granted = meter.grant(bytes);
        if (meter.exhausted()) {
            meter.closeTunnels();
        }
        return granted == bytes;
    }
}
