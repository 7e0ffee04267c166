package io.pocketproxy.agent;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.util.NetUtil;
import io.pocketproxy.agent.egress.DeviceNames;
import io.pocketproxy.agent.egress.EgressPath;
import io.pocketproxy.link.AggregatedWarning;
import io.pocketproxy.link.HostAndPort;
import io.pocketproxy.link.ProxyStatusError;
import io.pocketproxy.link.Transport;
import io.pocketproxy.link.stream.TunnelBuffers;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Optional;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens the device's connection to a customer's target: resolves the name with the device's own DNS (on
 * a resolver thread, never the event loop), refuses addresses the {@link DestinationPolicy} forbids, and
 * connects with a timeout. The outcome arrives on the given event loop.
 */
final class TargetDialer {

    private static final Logger log = LoggerFactory.getLogger(TargetDialer.class);

    /** The egress path gone (a modem unplugged): said once a minute, not for every customer connection. */
    private final AggregatedWarning unreachable =
            new AggregatedWarning(log, "the egress path cannot reach the target now", Duration.ofMinutes(1));

    private final DestinationPolicy policy;
    private final DeviceNames names;
    private final EgressPath egress;
    private final Duration connectTimeout;

    TargetDialer(DestinationPolicy policy, DeviceNames names, EgressPath egress, Duration connectTimeout) {
        this.policy = policy;
        this.names = names;
        this.egress = egress;
        this.connectTimeout = connectTimeout;
    }

    /** Calls back with a connected channel that is not reading yet, or with the error to report. */
    void dial(EventLoop loop, HostAndPort target, BiConsumer<Channel, ProxyStatusError> outcome) {
        // Netty reads an IPv6 zone more loosely than the JDK ("fe80::%-0" as scope 0, "%+1" as 1, where the JDK looks
        // for an interface of that name and finds none): a zoned literal is read by the JDK on the resolver, as the
        // platform reads it, so a target the platform calls no address is not dialled as one.
        InetAddress literal =
                target.host().indexOf('%') < 0 ? NetUtil.createInetAddressFromIpAddressString(target.host()) : null;
        if (literal != null) {
            // An IP address needs no lookup: no trip through the resolver threads.
            if (!policy.allows(literal)) {
                outcome.accept(null, ProxyStatusError.DESTINATION_IP_PROHIBITED);
            } else {
                // Not inline: we are inside the loop's batch of ready events, and a socket opened now may get the
                // descriptor of one closed earlier in the batch, whose stale event (the old peer's FIN) would then be
                // read as this socket's and close it before it connects. A task runs after the batch.
                loop.execute(() -> connect(loop, new InetSocketAddress(literal, target.port()), outcome));
            }
            return;
        }
        names.resolve(target.host()).whenComplete((addresses, error) -> {
            if (error != null) {
                loop.execute(() -> outcome.accept(
                        null,
                        error instanceof UnknownHostException
                                ? ProxyStatusError.DNS_ERROR
                                : ProxyStatusError.PROXY_INTERNAL_ERROR));
                return;
            }
            Optional<InetAddress> allowed =
                    addresses.stream().filter(policy::allows).findFirst();
            if (!allowed.isPresent()) {
                loop.execute(() -> outcome.accept(null, ProxyStatusError.DESTINATION_IP_PROHIBITED));
                return;
            }
            loop.execute(() -> connect(loop, new InetSocketAddress(allowed.get(), target.port()), outcome));
        });
    }

    private void connect(EventLoop loop, InetSocketAddress address, BiConsumer<Channel, ProxyStatusError> outcome) {
        InetAddress local;
        try {
            local = egress.localAddressFor(address.getAddress());
        } catch (IOException e) {
            unreachable.warn(e);
            outcome.accept(null, ProxyStatusError.DESTINATION_UNAVAILABLE);
            return;
        }
        Bootstrap bootstrap = new Bootstrap();
        if (local != null) {
            bootstrap.localAddress(new InetSocketAddress(local, 0));
        }
        bootstrap
                .group(loop)
                .channel(Transport.socketChannel())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) connectTimeout.toMillis())
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, TunnelBuffers.TUNNEL_SOCKET)
                .option(ChannelOption.RCVBUF_ALLOCATOR, TunnelBuffers.READS)
                .handler(new ChannelInboundHandlerAdapter())
                .connect(address)
                .addListener(done -> {
                    if (done.isSuccess()) {
                        outcome.accept(((io.netty.channel.ChannelFuture) done).channel(), null);
                    } else {
                        outcome.accept(null, classify(done.cause()));
                    }
                });
    }

    static ProxyStatusError classify(Throwable cause) {
        if (cause instanceof ConnectTimeoutException) {
            return ProxyStatusError.CONNECTION_TIMEOUT;
        }
        if (cause instanceof NoRouteToHostException) {
            return ProxyStatusError.DESTINATION_UNAVAILABLE;
        }
        if (cause instanceof ConnectException) {
            return ProxyStatusError.CONNECTION_REFUSED;
        }
        return ProxyStatusError.PROXY_INTERNAL_ERROR;
    }
}
