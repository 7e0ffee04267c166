package io.pocketproxy.relay.openvpn.dns;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.dns.DefaultDnsRawRecord;
import io.netty.handler.codec.dns.DnsQuestion;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponse;
import io.netty.handler.codec.dns.DnsSection;
import java.net.InetAddress;

/** Fills a response to one question: its code, the question repeated, and an {@code A} record per address. */
final class DnsResponses {

    private DnsResponses() {}

    static <T extends DnsResponse> T fill(
            T response, DnsQuestion question, boolean recursionDesired, DnsAnswers.Answer answer) {
        response.setRecursionDesired(recursionDesired);
        response.setRecursionAvailable(true);
        response.setCode(answer.code());
        if (question != null) {
            response.addRecord(DnsSection.QUESTION, question);
            for (InetAddress address : answer.addresses()) {
                response.addRecord(
                        DnsSection.ANSWER,
                        new DefaultDnsRawRecord(
                                question.name(),
                                DnsRecordType.A,
                                DnsAnswers.TTL.toSeconds(),
                                Unpooled.wrappedBuffer(address.getAddress())));
            }
        }
        return response;
    }
}
