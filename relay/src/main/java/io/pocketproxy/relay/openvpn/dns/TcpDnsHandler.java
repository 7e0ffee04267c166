package io.pocketproxy.relay.openvpn.dns;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.dns.DefaultDnsResponse;
import io.netty.handler.codec.dns.DnsOpCode;
import io.netty.handler.codec.dns.DnsQuery;
import io.netty.handler.codec.dns.DnsQuestion;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.handler.codec.dns.DnsSection;
import io.pocketproxy.relay.openvpn.flows.VpnSession;
import io.pocketproxy.relay.tunnel.Completions;

/** Answers the DNS queries of one OpenVPN session's TCP flow to port 53, in order, one question each. */
final class TcpDnsHandler extends SimpleChannelInboundHandler<DnsQuery> {

    private final VpnSession session;
    private final DnsAnswers answers;

    TcpDnsHandler(VpnSession session, DnsAnswers answers) {
        this.session = session;
        this.answers = answers;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DnsQuery query) {
        int id = query.id();
        boolean recursionDesired = query.isRecursionDesired();
        if (!query.opCode().equals(DnsOpCode.QUERY) || query.count(DnsSection.QUESTION) != 1) {
            DnsResponseCode code =
                    query.opCode().equals(DnsOpCode.QUERY) ? DnsResponseCode.FORMERR : DnsResponseCode.NOTIMP;
            ctx.writeAndFlush(DnsResponses.fill(
                    new DefaultDnsResponse(id, query.opCode()), null, recursionDesired, DnsAnswers.Answer.of(code)));
            return;
        }
        DnsQuestion question = query.recordAt(DnsSection.QUESTION);
        // One query at a time: a client that pipelines waits for each answer, and answers keep their order.
        ctx.channel().config().setAutoRead(false);
        Completions.then(ctx, answers.answer(session.connection(), question), (answer, never) -> {
            ctx.writeAndFlush(
                    DnsResponses.fill(new DefaultDnsResponse(id, DnsOpCode.QUERY), question, recursionDesired, answer));
            ctx.channel().config().setAutoRead(true);
        });
    }
}
