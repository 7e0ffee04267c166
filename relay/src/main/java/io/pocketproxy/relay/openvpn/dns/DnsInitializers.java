package io.pocketproxy.relay.openvpn.dns;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.dns.DatagramDnsQueryDecoder;
import io.netty.handler.codec.dns.DatagramDnsResponseEncoder;
import io.netty.handler.codec.dns.TcpDnsQueryDecoder;
import io.netty.handler.codec.dns.TcpDnsResponseEncoder;
import io.pocketproxy.relay.metering.Meter;
import io.pocketproxy.relay.metering.Meters;
import io.pocketproxy.relay.metering.StreamMeter;
import io.pocketproxy.relay.openvpn.flows.FlowTable;
import io.pocketproxy.relay.openvpn.flows.VpnSession;

/**
 * The pipelines of the relay's DNS for OpenVPN clients: the UDP socket every client's port-53 datagrams are sent
 * to, and each TCP flow to port 53. Both count their bytes on the session's connection meter, in front of the
 * codec, so what is counted is what crosses the tunnel.
 */
public final class DnsInitializers {

    private final FlowTable flows;
    private final Meters meters;
    private final DnsAnswers answers;

    public DnsInitializers(FlowTable flows, Meters meters, DnsAnswers answers) {
        this.flows = flows;
        this.meters = meters;
        this.answers = answers;
    }

    /** For the UDP socket. */
    public ChannelInitializer<Channel> datagram() {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel channel) {
                channel.pipeline()
                        .addLast("meter", new DatagramMeter(flows, meters))
                        .addLast("decoder", new DatagramDnsQueryDecoder())
                        .addLast("encoder", new DatagramDnsResponseEncoder())
                        .addLast("dns-answers", new DatagramDnsHandler(flows, answers));
            }
        };
    }

    /** For one session's TCP flow to port 53: added to the flow's pipeline, it puts its own handlers there. */
    public ChannelHandler tcp(VpnSession session) {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel channel) {
                Meter meter = meters.meterFor(session.connection());
                meter.track(channel);
                channel.pipeline()
                        .addLast("meter", new StreamMeter(meter))
                        .addLast("decoder", new TcpDnsQueryDecoder())
                        .addLast("encoder", new TcpDnsResponseEncoder())
                        .addLast("dns-answers", new TcpDnsHandler(session, answers));
            }
        };
    }
}
