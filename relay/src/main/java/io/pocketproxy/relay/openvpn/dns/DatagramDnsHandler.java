package io.pocketproxy.relay.openvpn.dns;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.dns.DatagramDnsQuery;
import io.netty.handler.codec.dns.DatagramDnsResponse;
import io.netty.handler.codec.dns.DnsOpCode;
import io.netty.handler.codec.dns.DnsQuestion;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.handler.codec.dns.DnsSection;
import io.pocketproxy.relay.openvpn.flows.FlowTable;
import io.pocketproxy.relay.openvpn.flows.VpnSession;
import io.pocketproxy.relay.tunnel.Completions;
import java.net.InetSocketAddress;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Answers DNS queries over UDP from OpenVPN clients: one question each, answered by {@link DnsAnswers}. */
final class DatagramDnsHandler extends SimpleChannelInboundHandler<DatagramDnsQuery> {

    private static final Logger log = LoggerFactory.getLogger(DatagramDnsHandler.class);

    private final FlowTable flows;
    private final DnsAnswers answers;

    DatagramDnsHandler(FlowTable flows, DnsAnswers answers) {
        this.flows = flows;
        this.answers = answers;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramDnsQuery query) {
        InetSocketAddress client = query.sender();
        Optional<VpnSession> session = flows.find(client.getAddress());
        if (session.isEmpty()) {
            return;
        }
        // The query is released when this method returns; the answer needs only these.
        int id = query.id();
        boolean recursionDesired = query.isRecursionDesired();
        InetSocketAddress local = query.recipient();
        if (!query.opCode().equals(DnsOpCode.QUERY) || query.count(DnsSection.QUESTION) != 1) {
            DnsResponseCode code =
                    query.opCode().equals(DnsOpCode.QUERY) ? DnsResponseCode.FORMERR : DnsResponseCode.NOTIMP;
            ctx.writeAndFlush(DnsResponses.fill(
                    new DatagramDnsResponse(local, client, id, query.opCode()),
                    null,
                    recursionDesired,
                    DnsAnswers.Answer.of(code)));
            return;
        }
        DnsQuestion question = query.recordAt(DnsSection.QUESTION);
        Completions.then(
                ctx,
                answers.answer(session.get().connection(), question),
                (answer, never) -> ctx.channel()
                        .writeAndFlush(DnsResponses.fill(
                                new DatagramDnsResponse(local, client, id), question, recursionDesired, answer)));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // One bad datagram must not end DNS for everyone: it is dropped, the channel stays.
        org.slf4j.LoggerFactory.getLogger(DatagramDnsHandler.class)
                .debug("dropping a DNS datagram: {}", cause.toString());
    }
}
