package io.pocketproxy.relay.tunnel;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.timeout.IdleStateHandler;
import io.pocketproxy.link.HostAndPort;
import io.pocketproxy.link.stream.InboundHold;
import io.pocketproxy.link.stream.Pipe;
import io.pocketproxy.link.stream.StreamBytesCodec;
import io.pocketproxy.relay.directory.ConnectionRecord;
import io.pocketproxy.relay.directory.ConnectionType;
import io.pocketproxy.relay.link.DeviceLink;
import io.pocketproxy.relay.link.DeviceLinks;
import io.pocketproxy.relay.link.LoopMove;
import io.pocketproxy.relay.link.PeerLinks;
import io.pocketproxy.relay.metering.Meter;
import io.pocketproxy.relay.metering.Meters;
import io.pocketproxy.relay.metering.StreamMeter;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one hand-off from a signed-in customer to its device, whatever protocol the customer speaks (HTTP
 * CONNECT, plain HTTP, SOCKS5, OpenVPN flows): checks the connection may be used, reserves a stream slot,
 * moves the customer's channel onto the device link's event loop, opens the device stream and puts the
 * connection's meter on it.
 *
 * <p>From the moment a protocol handler asks for a tunnel, its customer channel stops reading, and whatever
 * its decoders still hand on (a client that did not wait for the answer) is kept by an {@link InboundHold}
 * in front of the asking handler; the device stream keeps what arrives early the same way. The protocol
 * handler answers the customer, removes its own handlers and joins the two ({@link Tunnel#pipe()}), and the
 * held bytes go first.
 */
public final class Tunnels {

    public static final String HOLD = "hold";
    static final String IDLE = "idle";

    private static final Logger log = LoggerFactory.getLogger(Tunnels.class);

    private final DeviceLinks links;
    private final PeerLinks peers;
    private final Meters meters;
    private final int maxStreamsPerConnection;
    private final Duration idleTimeout;

    /**
     * @param idleTimeout a tunnel moving no byte either way for this long is closed. The timer starts with the
     *     tunnel: before it, the handshake deadline bounds the customer, and the relay's own work (a bcrypt check,
     *     the device dialling) must not count against them.
     */
    public Tunnels(DeviceLinks links, Meters meters, int maxStreamsPerConnection, Duration idleTimeout) {
        this(links, null, meters, maxStreamsPerConnection, idleTimeout);
    }

    /** @param peers where a device another relay of the farm holds is reached; {@code null} for none (tests) */
    public Tunnels(
            DeviceLinks links, PeerLinks peers, Meters meters, int maxStreamsPerConnection, Duration idleTimeout) {
        this.links = links;
        this.peers = peers;
        this.meters = meters;
        this.maxStreamsPerConnection = maxStreamsPerConnection;
        this.idleTimeout = idleTimeout;
    }

    /**
     * Opens a tunnel to {@code target} for the customer whose handler is {@code requester}, who speaks
     * {@code protocol}; call on the customer's event loop. Completes on the customer's event loop, which is by
     * then the device link's: with the tunnel, or failed with the {@link Refusal} to answer.
     *
     * <p>When another relay of the farm holds the device, the tunnel goes through that relay ({@link PeerLinks}),
     * which checks and meters it as its own: a connection's bytes all pass the relay that holds its device, so its
     * limit is exact there whichever relay its customers come to.
     */
    public CompletableFuture<Tunnel> open(
            ConnectionRecord connection, ConnectionType protocol, HostAndPort target, ChannelHandlerContext requester) {
        Channel customer = requester.channel();
        customer.config().setAutoRead(false);
        holdBefore(requester);
        CompletableFuture<Tunnel> opened = new CompletableFuture<>();
        Optional<Refusal> refusal = checkAccess(connection, protocol)
                .or(() -> meters.find(connection.id()).flatMap(Tunnels::checkQuota));
        if (refusal.isPresent()) {
            return refuse(customer, opened, refusal.get());
        }
        Optional<DeviceLink> link = links.find(connection.deviceId());
        if (link.isPresent()) {
            return openThrough(link.get(), connection, customer, target, opened);
        }
        if (peers == null) {
            return refuse(customer, opened, Refusal.of(Refusal.Reason.DEVICE_OFFLINE));
        }
        peers.find(connection.deviceId())
                .whenComplete((peer, failure) -> customer.eventLoop().execute(() -> {
                    if (failure != null) {
                        refuse(customer, opened, refusalOf(failure, customer));
                    } else if (peer.isEmpty()) {
                        refuse(customer, opened, Refusal.of(Refusal.Reason.DEVICE_OFFLINE));
                    } else {
                        forward(peer.get(), connection, protocol, target, customer, opened);
                    }
                }));
        return opened;
    }

    /**
     * Opens a tunnel that a peer relay forwarded over {@code link} (its link to one of this relay's devices) for
     * {@code connection}'s customer there: as {@link #open}, with the stream {@code requester} reads as the
     * customer, checked and metered here. Call on {@code link}'s event loop.
     */
    public CompletableFuture<Tunnel> openForwarded(
            ConnectionRecord connection,
            ConnectionType protocol,
            HostAndPort target,
            ChannelHandlerContext requester,
            DeviceLink link) {
        Channel stream = requester.channel();
        stream.config().setAutoRead(false);
        holdBefore(requester);
        CompletableFuture<Tunnel> opened = new CompletableFuture<>();
        Optional<Refusal> refusal = checkAccess(connection, protocol);
        if (refusal.isPresent()) {
            return refuse(stream, opened, refusal.get());
        }
        if (!link.isActive() || links.find(link.deviceId()).orElse(null) != link) {
            return refuse(stream, opened, Refusal.of(Refusal.Reason.DEVICE_OFFLINE)); // the device linked again
        }
        return openThrough(link, connection, stream, target, opened);
    }

    /** Through this relay's own link to the device, metered here once its meter holds the current total. */
    private CompletableFuture<Tunnel> openThrough(
            DeviceLink link,
            ConnectionRecord connection,
            Channel customer,
            HostAndPort target,
            CompletableFuture<Tunnel> opened) {
        CompletableFuture<Meter> current = meters.currentMeterFor(connection);
        if (current.isDone()) {
            return openMetered(link, current.join(), customer, target, opened);
        }
        current.whenComplete((meter, failure) -> customer.eventLoop().execute(() -> {
            if (failure != null) {
                refuse(customer, opened, refusalOf(failure, customer));
            } else {
                openMetered(link, meter, customer, target, opened);
            }
        }));
        return opened;
    }

    private CompletableFuture<Tunnel> openMetered(
            DeviceLink link, Meter meter, Channel customer, HostAndPort target, CompletableFuture<Tunnel> opened) {
        Optional<Refusal> refusal = checkQuota(meter);
        if (refusal.isPresent()) {
            return refuse(customer, opened, refusal.get());
        }
        if (!meter.reserveStream(maxStreamsPerConnection)) {
            return refuse(customer, opened, Refusal.of(Refusal.Reason.TOO_MANY_STREAMS));
        }
        LoopMove.moveTo(customer, link.eventLoop())
                .thenCompose(moved -> link.connect(target))
                .whenComplete((stream, failure) -> {
                    if (failure != null) {
                        meter.releaseStream();
                        refuse(customer, opened, refusalOf(failure, customer));
                    } else {
                        stream.closeFuture().addListener(closed -> meter.releaseStream());
                        attach(Optional.of(meter), customer, stream, opened);
                    }
                });
        return opened;
    }

    /**
     * Through a peer relay's link to the device: that relay checks the quota and the stream cap and meters the
     * bytes, so nothing is counted here. Call on the customer's loop.
     */
    private void forward(
            DeviceLink peer,
            ConnectionRecord connection,
            ConnectionType protocol,
            HostAndPort target,
            Channel customer,
            CompletableFuture<Tunnel> opened) {
        LoopMove.moveTo(customer, peer.eventLoop())
                .thenCompose(moved -> peer.connect(target, connection, protocol))
                .whenComplete((stream, failure) -> {
                    if (failure != null) {
                        refuse(customer, opened, refusalOf(failure, customer));
                    } else {
                        attach(Optional.empty(), customer, stream, opened);
                    }
                });
    }

    /**
     * The device's link for a request that is not a tunnel (an OpenVPN customer's name lookup): this relay's own, or
     * one through the relay of the farm that holds the device; empty when none does.
     */
    public CompletableFuture<Optional<DeviceLink>> linkTo(UUID deviceId) {
        Optional<DeviceLink> own = links.find(deviceId);
        if (own.isPresent() || peers == null) {
            return CompletableFuture.completedFuture(own);
        }
        return peers.find(deviceId).exceptionally(unreachable -> Optional.empty());
    }

    /**
     * Runs {@code request} (a request to the device that is not a tunnel, such as an OpenVPN customer's name
     * lookup) within the connection's stream cap, as a tunnel would be: it takes a slot before it starts and gives
     * it back when it completes. Empty, without running it, when every slot is taken.
     */
    public <T> Optional<CompletableFuture<T>> withStreamSlot(
            ConnectionRecord connection, Supplier<CompletableFuture<T>> request) {
        Meter meter = meters.meterFor(connection);
        if (!meter.reserveStream(maxStreamsPerConnection)) {
            return Optional.empty();
        }
        CompletableFuture<T> started;
        try {
            started = request.get();
        } catch (RuntimeException e) {
            meter.releaseStream();
            throw e;
        }
        return Optional.of(started.whenComplete((result, failure) -> meter.releaseStream()));
    }

    /**
     * Whether {@code connection} may open a tunnel now for a customer speaking {@code protocol}, and if not, why
     * (its device's link is checked at open). OpenVPN's sign-in asks it, to refuse a client with the reason rather
     * than let it in to have every flow reset.
     */
    public Optional<Refusal> check(ConnectionRecord connection, ConnectionType protocol) {
        return checkAccess(connection, protocol).or(() -> checkQuota(meters.meterFor(connection)));
    }

    private static Optional<Refusal> checkAccess(ConnectionRecord connection, ConnectionType protocol) {
        // A connection is sold as one type. Asked only once its password has verified, so that the answer tells a
        // guesser nothing about which usernames exist.
        if (connection.type() != protocol) {
            return Optional.of(Refusal.of(Refusal.Reason.CONNECTION_TYPE_MISMATCH));
        }
        if (!connection.active()) {
            return Optional.of(Refusal.of(Refusal.Reason.CONNECTION_DISABLED));
        }
        return Optional.empty();
    }

    private static Optional<Refusal> checkQuota(Meter meter) {
        return meter.exhausted() ? Optional.of(Refusal.of(Refusal.Reason.BANDWIDTH_LIMIT_REACHED)) : Optional.empty();
    }

    /**
     * On the link's loop, with the customer moved there: the stream becomes the tunnel's device end, counted by
     * {@code meter} (none when a peer relay counts it).
     */
    private void attach(
            Optional<Meter> meter, Channel customer, Http2StreamChannel stream, CompletableFuture<Tunnel> opened) {
        ChannelPipeline pipeline = stream.pipeline();
        pipeline.addLast("bytes-in", new StreamBytesCodec.Decoder());
        pipeline.addLast("bytes-out", new StreamBytesCodec.Encoder());
        meter.ifPresent(counting -> pipeline.addLast("meter", new StreamMeter(counting)));
        pipeline.addLast(HOLD, new InboundHold());
        if (!customer.isActive()) {
            stream.close(); // the customer left while the device dialled
            opened.completeExceptionally(new ClosedChannelException());
            return;
        }
        meter.ifPresent(counting -> counting.track(customer));
        customer.closeFuture().addListener(closed -> Pipe.closeOnFlush(stream));
        startIdleTimer(customer);
        opened.complete(new Tunnel(customer, stream));
    }

    private void startIdleTimer(Channel customer) {
        if (customer.pipeline().get(IdleStateHandler.class) == null) {
            customer.pipeline()
                    .addFirst(IDLE, new IdleStateHandler(0, 0, idleTimeout.toMillis(), TimeUnit.MILLISECONDS));
        }
    }

    private static CompletableFuture<Tunnel> refuse(
            Channel customer, CompletableFuture<Tunnel> opened, Refusal refusal) {
        InboundHold hold = customer.pipeline().get(InboundHold.class);
        if (hold != null) {
            hold.discard();
            customer.pipeline().remove(hold);
        }
        opened.completeExceptionally(refusal);
        return opened;
    }

    /** What to tell the customer; our own failures (not a refusal, not the device's answer) are worth a warning. */
    private static Refusal refusalOf(Throwable failure, Channel customer) {
        Refusal refusal = Refusal.from(failure);
        if (refusal.reason() == Refusal.Reason.PROXY_INTERNAL_ERROR && customer.isActive()) {
            log.warn("cannot open a tunnel for {}", customer, failure);
        }
        return refusal;
    }

    private static void holdBefore(ChannelHandlerContext requester) {
        ChannelPipeline pipeline = requester.pipeline();
        if (pipeline.get(InboundHold.class) == null) {
            pipeline.addBefore(requester.name(), HOLD, new InboundHold());
        }
    }
}
