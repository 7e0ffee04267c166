package io.pocketproxy.relay.openvpn.dns;

import io.netty.handler.codec.dns.DnsQuestion;
import io.netty.handler.codec.dns.DnsRecord;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.pocketproxy.link.AggregatedWarning;
import io.pocketproxy.link.NameLookup;
import io.pocketproxy.link.ProxyStatusError;
import io.pocketproxy.relay.directory.ConnectionRecord;
import io.pocketproxy.relay.directory.ConnectionType;
import io.pocketproxy.relay.link.DeviceLink;
import io.pocketproxy.relay.link.DeviceRefusal;
import io.pocketproxy.relay.tunnel.Tunnels;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.LoggerFactory;

/**
 * What an OpenVPN customer's DNS question is answered: an {@code A} question is resolved by the connection's
 * device ({@link DeviceLink#resolve}), so the customer sees the names the phone's network sees and no query
 * leaves from the relay's network. Other types are answered with no records: IPv6 is not carried through the
 * tunnel (an empty {@code AAAA} answer keeps clients on IPv4), and the device's resolver answers addresses
 * only.
 */
public final class DnsAnswers {

    /** Short: a phone's answers change with its network, and the customer's cache should follow. */
    public static final Duration TTL = Duration.ofSeconds(30);

    /** More than a UDP answer without EDNS has room for would be cut anyway. */
    static final int MAX_ADDRESSES = 16;

    private final Tunnels tunnels;
    private final AggregatedWarning oldAgents = new AggregatedWarning(
            LoggerFactory.getLogger(DnsAnswers.class),
            "a device's agent cannot resolve names (it predates the resolve request); its OpenVPN customers' DNS"
                    + " is answered SERVFAIL until the agent is updated",
            Duration.ofMinutes(1));

    public DnsAnswers(Tunnels tunnels) {
        this.tunnels = tunnels;
    }

    /** The outcome of one question: a response code and, for {@code NOERROR}, the addresses (maybe none). */
    public record Answer(DnsResponseCode code, List<InetAddress> addresses) {
        static Answer of(DnsResponseCode code) {
            return new Answer(code, List.of());
        }
    }

    /**
     * Answers {@code question} for {@code connection}; completes on a link's event loop, on the directory's thread
     * (the device is linked to no relay) or at once, never failed.
     */
    public CompletableFuture<Answer> answer(ConnectionRecord connection, DnsQuestion question) {
        if (tunnels.check(connection, ConnectionType.OPENVPN).isPresent()) {
            return done(Answer.of(DnsResponseCode.REFUSED)); // disabled, or its limit reached
        }
        if (question.dnsClass() != DnsRecord.CLASS_IN) {
            return done(Answer.of(DnsResponseCode.NOTIMP));
        }
        if (!question.type().equals(DnsRecordType.A)) {
            return done(Answer.of(DnsResponseCode.NOERROR));
        }
        String name = question.name().endsWith(".")
                ? question.name().substring(0, question.name().length() - 1)
                : question.name();
        if (!NameLookup.isValidName(name)) {
            return done(Answer.of(DnsResponseCode.NXDOMAIN));
        }
        // The device's link here, or through the relay of the farm that holds it.
        return tunnels.linkTo(connection.deviceId()).thenCompose(link -> {
            if (link.isEmpty()) {
                return done(Answer.of(DnsResponseCode.SERVFAIL)); // the device is offline
            }
            // A lookup is a stream on the device's link like a tunnel: it counts against the same cap, so a customer
            // flooding their resolver cannot crowd the phone out of streams.
            return tunnels.withStreamSlot(connection, () -> link.get().resolve(name))
                    .map(lookup -> lookup.handle(this::answerOf))
                    .orElseGet(() -> done(Answer.of(DnsResponseCode.SERVFAIL)));
        });
    }

    private Answer answerOf(List<InetAddress> addresses, Throwable failure) {
        if (failure != null) {
            return Answer.of(codeOf(failure));
        }
        List<InetAddress> ipv4 = addresses.stream()
                .filter(address -> address instanceof Inet4Address)
                .limit(MAX_ADDRESSES)
                .toList();
        return new Answer(DnsResponseCode.NOERROR, ipv4);
    }

    private DnsResponseCode codeOf(Throwable failure) {
        Throwable cause =
                failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (cause instanceof DeviceRefusal refusal && refusal.reason() == DeviceRefusal.Reason.REFUSED) {
            if (refusal.error().equals(Optional.of(ProxyStatusError.DNS_ERROR))) {
                return DnsResponseCode.NXDOMAIN;
            }
            if (refusal.error().isEmpty()) {
                oldAgents.warn(cause);
            }
        }
        return DnsResponseCode.SERVFAIL;
    }

    private static CompletableFuture<Answer> done(Answer answer) {
        return CompletableFuture.completedFuture(answer);
    }
}
