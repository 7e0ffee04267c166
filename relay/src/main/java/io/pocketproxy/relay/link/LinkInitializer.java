package io.pocketproxy.relay.link;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.pocketproxy.link.LinkFeature;
import io.pocketproxy.link.LinkProtocol;
import io.pocketproxy.link.LinkSettings;
import io.pocketproxy.link.NetworkErrors;
import io.pocketproxy.link.TokenDigest;
import io.pocketproxy.relay.directory.DeviceDirectory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay's end of a device link, from TCP to HTTP/2: TLS with the relay certificate, the agent's
 * {@code GET /v1/link} checked against the device tokens (off the event loop), {@code 101}, then the
 * HTTP/2 client that opens streams to the device.
 */
final class LinkInitializer extends ChannelInitializer<SocketChannel> {

    private static final Logger log = LoggerFactory.getLogger(LinkInitializer.class);
    private static final String BEARER = "Bearer ";

    private final SslContext ssl;
    private final LinkSettings settings;
    private final DeviceDirectory devices;
    private final Duration handshakeTimeout;
    private final Duration openTimeout;
    private final Accepted onLinked;

    /** Hears each link taken into service, with what {@link DeviceLinks#register(DeviceLink, boolean, long)} needs. */
    interface Accepted {
        void accept(DeviceLink link, boolean fromLiveRelay, long linkingSince);
    }

    private final DeviceLinks links;
    private final Function<DeviceLink, ChannelHandler> forwardedStreams;

    /**
     * @param forwardedStreams what serves the streams a peer relay forwards to one of this relay's devices, given
     *     the device's link; {@code null} to serve no peer
     */
    LinkInitializer(
            SslContext ssl,
            LinkSettings settings,
            DeviceDirectory devices,
            Duration handshakeTimeout,
            Duration openTimeout,
            Accepted onLinked,
            DeviceLinks links,
            Function<DeviceLink, ChannelHandler> forwardedStreams) {
        this.ssl = ssl;
        this.settings = settings;
        this.devices = devices;
        this.handshakeTimeout = handshakeTimeout;
        this.openTimeout = openTimeout;
        this.onLinked = onLinked;
        this.links = links;
        this.forwardedStreams = forwardedStreams;
    }

    @Override
    protected void initChannel(SocketChannel channel) {
        ChannelPipeline pipeline = channel.pipeline();
        pipeline.addLast("tls", ssl.newHandler(channel.alloc()));
        pipeline.addLast(
                "handshake-timeout", new ReadTimeoutHandler(handshakeTimeout.toMillis(), TimeUnit.MILLISECONDS));
        pipeline.addLast("http", new HttpServerCodec(4096, 8192, 8192));
        pipeline.addLast("aggregate", new HttpObjectAggregator(8192));
        pipeline.addLast("handshake", new Handshake());
    }

    private final class Handshake extends SimpleChannelInboundHandler<FullHttpRequest> {

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            if (!request.decoderResult().isSuccess()) {
                refuse(ctx, HttpResponseStatus.BAD_REQUEST, "malformed request");
                return;
            }
            if (HttpMethod.GET.equals(request.method()) && LinkProtocol.ADDRESS_PATH.equals(request.uri())) {
                answer(ctx, HttpResponseStatus.OK, callerAddress(ctx));
                return;
            }
            if (HttpMethod.GET.equals(request.method())
                    && PeerProtocol.PEER_PATH.equals(request.uri())
                    && forwardedStreams != null) {
                acceptPeer(ctx, request);
                return;
            }
            if (!HttpMethod.GET.equals(request.method()) || !LinkProtocol.LINK_PATH.equals(request.uri())) {
                refuse(
                        ctx,
                        HttpResponseStatus.NOT_FOUND,
                        "only GET " + LinkProtocol.LINK_PATH + " and " + LinkProtocol.ADDRESS_PATH
                                + " are served here");
                return;
            }
            if (!LinkProtocol.UPGRADE_TOKEN.equalsIgnoreCase(request.headers().get(HttpHeaderNames.UPGRADE))) {
                refuse(ctx, HttpResponseStatus.UPGRADE_REQUIRED, "expected Upgrade: " + LinkProtocol.UPGRADE_TOKEN);
                return;
            }
            String authorization = request.headers().get(HttpHeaderNames.AUTHORIZATION);
            if (authorization == null || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
                refuse(ctx, HttpResponseStatus.UNAUTHORIZED, "expected Authorization: Bearer <device token>");
                return;
            }
            byte[] digest =
                    TokenDigest.of(authorization.substring(BEARER.length()).strip());
            Set<LinkFeature> offered = LinkFeature.parse(request.headers().get(LinkFeature.HEADER));
            ctx.channel().config().setAutoRead(false);
            long linkingSince = System.nanoTime();
            devices.linkDevice(digest)
                    .whenComplete((device, error) -> ctx.executor().execute(() -> {
                        if (error != null) {
                            // Until the database answers, a device keeps the relay it has: a link here could not
                            // be recorded, and the farm would not know where the device is.
                            log.warn(
                                    "refused a link from {}: cannot check its token and record the link ({}); the"
                                            + " device stays on the relay it has until the database answers",
                                    ctx.channel().remoteAddress(),
                                    error.getMessage());
                            refuse(ctx, HttpResponseStatus.SERVICE_UNAVAILABLE, "try again later");
                        } else if (device.isEmpty()) {
                            log.info(
                                    "refused a link from {}: unknown device token",
                                    ctx.channel().remoteAddress());
                            refuse(ctx, HttpResponseStatus.UNAUTHORIZED, "unknown device token");
                        } else {
                            upgrade(ctx, device.get(), offered, linkingSince);
                        }
                    }));
        }

        private void upgrade(
                ChannelHandlerContext ctx, DeviceDirectory.Linked device, Set<LinkFeature> offered, long linkingSince) {
            UUID deviceId = device.deviceId();
            if (!ctx.channel().isActive()) {
                return;
            }
            Set<LinkFeature> agreed = LinkFeature.agreed(offered, LinkFeature.all());
            FullHttpResponse switching = switchingProtocols();
            if (!agreed.isEmpty()) {
                switching.headers().set(LinkFeature.HEADER, LinkFeature.format(agreed));
            }
            ctx.writeAndFlush(switching);
            ChannelPipeline pipeline = ctx.pipeline();
            pipeline.remove("handshake-timeout");
            pipeline.remove("aggregate");
            pipeline.remove("http");
            Http2FrameCodec codec = settings.relayCodec();
            pipeline.addLast("h2", codec);
            pipeline.addLast("streams", new Http2MultiplexHandler(new RefuseInboundStreams()));
            pipeline.addLast(
                    "keepalive", new LinkKeepAlive(settings.pingInterval(), settings.missedPingsAllowed(), deviceId));
            pipeline.remove(this);
            settings.widenLinkWindow(codec, ctx.channel());
            ctx.channel().config().setAutoRead(true);
            onLinked.accept(
                    new DeviceLink(deviceId, ctx.channel(), agreed, openTimeout), device.fromLiveRelay(), linkingSince);
        }

        /**
         * Another relay of the farm asks for a link to one of this relay's devices, to forward its customers: it must
         * show the farm's certificate (the TLS handshake already refused any other), and the device must be linked
         * here. The link then moves to the device link's event loop, so that each forwarded stream and its device
         * stream share one thread, as a customer's socket and its device stream do.
         */
        private void acceptPeer(ChannelHandlerContext ctx, FullHttpRequest request) {
            if (!showedCertificate(ctx)) {
                refuse(ctx, HttpResponseStatus.FORBIDDEN, "a peer link needs the farm's relay certificate");
                return;
            }
            if (!LinkProtocol.UPGRADE_TOKEN.equalsIgnoreCase(request.headers().get(HttpHeaderNames.UPGRADE))) {
                refuse(ctx, HttpResponseStatus.UPGRADE_REQUIRED, "expected Upgrade: " + LinkProtocol.UPGRADE_TOKEN);
                return;
            }
            UUID deviceId;
            try {
                deviceId = UUID.fromString(String.valueOf(request.headers().get(PeerProtocol.DEVICE_HEADER)));
            } catch (IllegalArgumentException e) {
                refuse(ctx, HttpResponseStatus.BAD_REQUEST, "expected " + PeerProtocol.DEVICE_HEADER + ": <device id>");
                return;
            }
            Optional<DeviceLink> device = links.find(deviceId);
            if (device.isEmpty()) {
                refuse(ctx, HttpResponseStatus.NOT_FOUND, "device " + deviceId + " is not linked here");
                return;
            }
            ctx.channel().config().setAutoRead(false);
            ctx.pipeline().remove("handshake-timeout");
            DeviceLink link = device.get();
            LoopMove.moveTo(ctx.channel(), link.eventLoop()).whenComplete((moved, error) -> {
                if (error == null) {
                    upgradePeer(ctx, link);
                }
            });
        }

        /** On the device link's loop: {@code 101}, then the HTTP/2 server whose streams are forwarded tunnels. */
        private void upgradePeer(ChannelHandlerContext ctx, DeviceLink link) {
            if (!link.isActive()) {
                refuse(ctx, HttpResponseStatus.NOT_FOUND, "device " + link.deviceId() + " is not linked here");
                return;
            }
            FullHttpResponse switching = switchingProtocols();
            ctx.writeAndFlush(switching);
            ChannelPipeline pipeline = ctx.pipeline();
            pipeline.remove("aggregate");
            pipeline.remove("http");
            Http2FrameCodec codec = settings.agentCodec();
            // The forwarding relay pings as a relay pings its devices: silence past the pings it may miss means it
            // is gone (a crashed host sends no FIN), and its streams must not hold the device's stream slots.
            long silence = settings.pingInterval().toMillis() * (settings.missedPingsAllowed() + 1);
            pipeline.addLast("peer-silence", new ReadTimeoutHandler(silence, TimeUnit.MILLISECONDS));
            pipeline.addLast("h2", codec);
            pipeline.addLast("streams", new Http2MultiplexHandler(forwardedStreams.apply(link)));
            pipeline.addLast("peer-errors", new PeerErrors());
            pipeline.remove(this);
            settings.widenLinkWindow(codec, ctx.channel());
            // The device's own link ended: so do the peers' links to it, and they look for it afresh.
            Channel peer = ctx.channel();
            ChannelFutureListener closePeer = closed -> peer.close();
            link.channel().closeFuture().addListener(closePeer);
            peer.closeFuture()
                    .addListener(closed -> link.channel().closeFuture().removeListener(closePeer));
            peer.config().setAutoRead(true);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            NetworkErrors.closeOnError(
                    log, ctx, "link handshake from " + ctx.channel().remoteAddress(), cause);
        }
    }

    /** Ends a peer link on its errors (a read timeout: the forwarding relay went silent) without a stack trace. */
    private static final class PeerErrors extends io.netty.channel.ChannelInboundHandlerAdapter {
        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            NetworkErrors.closeOnError(
                    log, ctx, "peer link from " + ctx.channel().remoteAddress(), cause);
        }
    }

    /** {@code 101}: the socket speaks HTTP/2 from the next byte on. */
    private static FullHttpResponse switchingProtocols() {
        FullHttpResponse switching =
                new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.SWITCHING_PROTOCOLS);
        switching
                .headers()
                .set(HttpHeaderNames.UPGRADE, LinkProtocol.UPGRADE_TOKEN)
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
        return switching;
    }

    /** Whether the caller showed a certificate; the TLS handshake accepts none but the farm's. */
    private static boolean showedCertificate(ChannelHandlerContext ctx) {
        try {
            return ctx.pipeline().get(SslHandler.class).engine().getSession().getPeerCertificates().length > 0;
        } catch (SSLPeerUnverifiedException e) {
            return false;
        }
    }

    /** Devices never open streams to the relay, nor does a relay to the one that dialled it. */
    static final class RefuseInboundStreams extends ChannelInitializer<Http2StreamChannel> {
        @Override
        protected void initChannel(Http2StreamChannel stream) {
            stream.close();
        }
    }

    /** The caller's IP address, as text: what a website would see of a connection from the same place. */
    private static String callerAddress(ChannelHandlerContext ctx) {
        return ((InetSocketAddress) ctx.channel().remoteAddress()).getAddress().getHostAddress();
    }

    private static void refuse(ChannelHandlerContext ctx, HttpResponseStatus status, String reason) {
        answer(ctx, status, reason);
    }

    /** Answers {@code text} on its own line and closes: every answer but the {@code 101} ends the connection. */
    private static void answer(ChannelHandlerContext ctx, HttpResponseStatus status, String text) {
        FullHttpResponse response = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, status, Unpooled.copiedBuffer(text + "\n", StandardCharsets.UTF_8));
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
                .set(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes())
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }
}
