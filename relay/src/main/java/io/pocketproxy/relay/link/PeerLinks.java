package io.pocketproxy.relay.link;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.pocketproxy.link.AggregatedWarning;
import io.pocketproxy.link.HostAndPort;
import io.pocketproxy.link.LinkProtocol;
import io.pocketproxy.link.LinkSettings;
import io.pocketproxy.link.Transport;
import io.pocketproxy.link.stream.TunnelBuffers;
import io.pocketproxy.relay.directory.DeviceDirectory;
import io.pocketproxy.relay.tls.RelayCertificate;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This relay's links to devices that other relays of the farm hold ({@link PeerProtocol}): one per device, dialled
 * when a customer here first needs it, kept while it lives. The other relay closes it when the device's own link
 * ends there, and the next customer dials afresh wherever the device is then.
 */
public final class PeerLinks implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PeerLinks.class);

    /** What a forwarded tunnel's answer may take beyond the device's own open timeout: the hop to the other relay. */
    static final Duration ANSWER_MARGIN = Duration.ofSeconds(2);

    /** How long "no relay holds the device" stands before the database is asked again (unless the device links). */
    static final Duration NOWHERE_FOR = Duration.ofSeconds(2);

    private final ConcurrentMap<UUID, CompletableFuture<Optional<DeviceLink>>> links = new ConcurrentHashMap<>();
    private final EventLoopGroup workers;
    private final SslContext ssl;
    private final LinkSettings settings;
    private final DeviceDirectory devices;
    private final Duration openTimeout;
    private volatile boolean closed;
    private final AggregatedWarning unreachable =
            new AggregatedWarning(log, "cannot reach the relay that holds a device", Duration.ofMinutes(1));

    public PeerLinks(
            EventLoopGroup workers,
            RelayCertificate certificate,
            LinkSettings settings,
            DeviceDirectory devices,
            Duration openTimeout) {
        this.workers = workers;
        this.settings = settings;
        this.devices = devices;
        this.openTimeout = openTimeout;
        try {
            // Our certificate is the farm's: we show it, and we trust exactly it on the other end.
            this.ssl = SslContextBuilder.forClient()
                    .keyManager(certificate.privateKey(), certificate.certificate())
                    .trustManager(certificate.trustingItself())
                    .build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot use the relay certificate for peer links", e);
        }
    }

    /**
     * The device's link through the live relay of the farm that holds it; empty when none does. Fails when that
     * relay cannot be reached or the database cannot say where the device is.
     */
    public CompletableFuture<Optional<DeviceLink>> find(UUID deviceId) {
        if (closed) {
            return CompletableFuture.completedFuture(Optional.empty()); // the relay is stopping
        }
        AtomicReference<CompletableFuture<Optional<DeviceLink>>> started = new AtomicReference<>();
        CompletableFuture<Optional<DeviceLink>> current = links.compute(deviceId, (id, known) -> {
            if (known != null && !spent(known)) {
                return known;
            }
            started.set(new CompletableFuture<>());
            return started.get();
        });
        if (current == started.get()) {
            locateAndDial(deviceId, current);
        }
        return current;
    }

    /** Drops the link to {@code deviceId}, if any (it linked to another relay: the next customer looks again). */
    public void forget(UUID deviceId) {
        CompletableFuture<Optional<DeviceLink>> known = links.remove(deviceId);
        if (known != null) {
            known.thenAccept(link -> link.ifPresent(DeviceLink::close));
        }
    }

    public int size() {
        return links.size();
    }

    @Override
    public void close() {
        closed = true;
        links.keySet().forEach(this::forget);
    }

    /** A failed or closed answer is not kept: the next customer asks again (an empty one, after {@link #NOWHERE_FOR}). */
    private static boolean spent(CompletableFuture<Optional<DeviceLink>> link) {
        if (!link.isDone()) {
            return false;
        }
        return link.isCompletedExceptionally()
                || link.join().map(found -> !found.isActive()).orElse(false);
    }

    private void locateAndDial(UUID deviceId, CompletableFuture<Optional<DeviceLink>> result) {
        devices.locate(deviceId).whenComplete((address, error) -> {
            if (error != null) {
                result.completeExceptionally(error);
            } else if (address.isEmpty()) {
                result.complete(Optional.empty());
                // Customers of an offline device retry: the answer stands for a moment, or until the device links.
                CompletableFuture.delayedExecutor(NOWHERE_FOR.toMillis(), TimeUnit.MILLISECONDS)
                        .execute(() -> links.remove(deviceId, result));
            } else {
                // The directory's thread, not an event loop: a relay named by host name is looked up here.
                InetSocketAddress resolved = new InetSocketAddress(
                        address.get().host(), address.get().port());
                if (resolved.isUnresolved()) {
                    UnknownHostException unknown =
                            new UnknownHostException(address.get().host());
                    unreachable.warn(unknown);
                    result.completeExceptionally(unknown);
                } else {
                    dial(deviceId, address.get(), resolved, result);
                }
            }
        });
    }

    private void dial(
            UUID deviceId,
            HostAndPort relay,
            InetSocketAddress resolved,
            CompletableFuture<Optional<DeviceLink>> result) {
        new Bootstrap()
                .group(workers)
                .channel(Transport.socketChannel())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) openTimeout.toMillis())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, TunnelBuffers.LINK)
                .option(ChannelOption.RCVBUF_ALLOCATOR, TunnelBuffers.READS)
                .handler(new Initializer(deviceId, relay, result))
                .connect(resolved)
                .addListener(connected -> {
                    if (!connected.isSuccess()) {
                        unreachable.warn(connected.cause());
                        result.completeExceptionally(connected.cause());
                    }
                });
        result.whenComplete((link, error) -> {
            if (error != null) {
                links.remove(deviceId, result);
            }
        });
    }

    /** TLS with the farm's certificate, {@code GET /v1/peer}, then the HTTP/2 client, as a relay is on device links. */
    private final class Initializer extends ChannelInitializer<SocketChannel> {
        private final UUID deviceId;
        private final HostAndPort relay;
        private final CompletableFuture<Optional<DeviceLink>> result;

        Initializer(UUID deviceId, HostAndPort relay, CompletableFuture<Optional<DeviceLink>> result) {
            this.deviceId = deviceId;
            this.relay = relay;
            this.result = result;
        }

        @Override
        protected void initChannel(SocketChannel channel) {
            ChannelPipeline pipeline = channel.pipeline();
            pipeline.addLast("tls", ssl.newHandler(channel.alloc(), relay.host(), relay.port()));
            pipeline.addLast(
                    "handshake-timeout", new ReadTimeoutHandler(openTimeout.toMillis(), TimeUnit.MILLISECONDS));
            pipeline.addLast("http", new HttpClientCodec());
            pipeline.addLast("handshake", new Handshake(deviceId, relay, result));
            channel.closeFuture().addListener(closed -> {
                if (result.completeExceptionally(
                        new IllegalStateException("peer link to " + relay + " closed before it was set up"))) {
                    return;
                }
                links.remove(deviceId, result);
            });
        }
    }

    private final class Handshake extends SimpleChannelInboundHandler<HttpObject> {
        private final UUID deviceId;
        private final HostAndPort relay;
        private final CompletableFuture<Optional<DeviceLink>> result;
        private HttpResponse response;

        Handshake(UUID deviceId, HostAndPort relay, CompletableFuture<Optional<DeviceLink>> result) {
            this.deviceId = deviceId;
            this.relay = relay;
            this.result = result;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            FullHttpRequest request =
                    new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, PeerProtocol.PEER_PATH);
            request.headers()
                    .set(HttpHeaderNames.HOST, relay.toString())
                    .set(HttpHeaderNames.UPGRADE, LinkProtocol.UPGRADE_TOKEN)
                    .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE)
                    .set(PeerProtocol.DEVICE_HEADER, deviceId.toString());
            ctx.writeAndFlush(request);
            ctx.fireChannelActive();
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject message) {
            if (message instanceof HttpResponse head) {
                response = head;
            }
            if (!(message instanceof LastHttpContent) || response == null) {
                return;
            }
            if (response.status().code() == HttpResponseStatus.SWITCHING_PROTOCOLS.code()) {
                upgrade(ctx);
            } else if (response.status().code() == HttpResponseStatus.NOT_FOUND.code()) {
                result.complete(Optional.empty()); // the device left that relay meanwhile
                ctx.close();
            } else {
                result.completeExceptionally(new IllegalStateException(
                        "relay " + relay + " answered the peer link request with " + response.status()));
                ctx.close();
            }
        }

        private void upgrade(ChannelHandlerContext ctx) {
            ChannelPipeline pipeline = ctx.pipeline();
            // The HTTP/2 codec writes its preface as soon as it is added: the HTTP/1.1 encoder must let it through.
            ((HttpClientCodec) pipeline.get("http")).prepareUpgradeFrom(ctx);
            Http2FrameCodec codec = settings.relayCodec();
            pipeline.addAfter(ctx.name(), "h2", codec);
            pipeline.addAfter("h2", "streams", new Http2MultiplexHandler(new LinkInitializer.RefuseInboundStreams()));
            pipeline.addAfter(
                    "streams",
                    "keepalive",
                    new LinkKeepAlive(settings.pingInterval(), settings.missedPingsAllowed(), deviceId));
            pipeline.remove("handshake-timeout");
            pipeline.remove(this);
            pipeline.remove("http");
            settings.widenLinkWindow(codec, ctx.channel());
            Channel channel = ctx.channel();
            log.debug("peer link to {} for device {}", relay, deviceId);
            // The other relay gives the device openTimeout to answer, then answers with why: wait a little longer, so
            // that its reason, not a timeout of ours, reaches the customer.
            result.complete(Optional.of(DeviceLink.throughPeer(deviceId, channel, openTimeout.plus(ANSWER_MARGIN))));
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (result.completeExceptionally(cause)) {
                unreachable.warn(cause);
            }
            ctx.close();
        }
    }
}
