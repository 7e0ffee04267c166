package io.pocketproxy.relay.link;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http2.DefaultHttp2GoAwayFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrame;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.pocketproxy.link.HostAndPort;
import io.pocketproxy.link.LinkFeature;
import io.pocketproxy.link.LinkProtocol;
import io.pocketproxy.link.NameLookup;
import io.pocketproxy.link.ProxyStatusError;
import io.pocketproxy.link.rotation.RotationReport;
import io.pocketproxy.link.status.StatusReport;
import io.pocketproxy.link.stream.TunnelBuffers;
import io.pocketproxy.relay.directory.ConnectionRecord;
import io.pocketproxy.relay.directory.ConnectionType;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

/**
 * One device's link as the relay sees it: the HTTP/2 connection on which the relay opens a stream per
 * customer connection ({@code CONNECT host:port}), per heartbeat ({@code GET /v1/status}) and per name an
 * OpenVPN customer looks up ({@code GET /v1/resolve}).
 */
public final class DeviceLink {

    private final UUID deviceId;
    private final Channel channel;
    private final Set<LinkFeature> features;
    private final Duration openTimeout;
    private final boolean throughPeer;

    DeviceLink(UUID deviceId, Channel channel, Set<LinkFeature> features, Duration openTimeout) {
        this(deviceId, channel, features, openTimeout, false);
    }

    private DeviceLink(
            UUID deviceId, Channel channel, Set<LinkFeature> features, Duration openTimeout, boolean throughPeer) {
        this.deviceId = deviceId;
        this.channel = channel;
        this.features = Set.copyOf(features);
        this.openTimeout = openTimeout;
        this.throughPeer = throughPeer;
    }

    /** The device's link through the peer relay at the other end of {@code channel}, which holds its own link. */
    static DeviceLink throughPeer(UUID deviceId, Channel channel, Duration openTimeout) {
        // The other relay answers a name lookup with its device's, or as the device would when it cannot.
        return new DeviceLink(deviceId, channel, Set.of(LinkFeature.RESOLVE), openTimeout, true);
    }

    public UUID deviceId() {
        return deviceId;
    }

    /** What the device and this relay agreed to use beyond the first protocol. */
    public Set<LinkFeature> features() {
        return features;
    }

    /** The IP address the link comes from, as text. */
    public String remoteAddress() {
        return channel.remoteAddress() instanceof InetSocketAddress address
                ? address.getAddress().getHostAddress()
                : String.valueOf(channel.remoteAddress());
    }

    public boolean isActive() {
        return channel.isActive();
    }

    /** The link's event loop: where its streams live, and where their customers' channels move to. */
    public EventLoop eventLoop() {
        return channel.eventLoop();
    }

    /**
     * Opens a stream to {@code target} through the device. Completes with the stream once the device
     * answered 200, not reading yet; fails with a {@link DeviceRefusal} saying why not.
     */
    public CompletableFuture<Http2StreamChannel> connect(HostAndPort target) {
        Http2Headers headers = new DefaultHttp2Headers().method("CONNECT").authority(target.toString());
        return request(headers, false).thenApply(answer -> answer.stream);
    }

    /**
     * As {@link #connect(HostAndPort)}, for {@code connection}'s customer speaking {@code protocol}: through a peer
     * relay's link, which checks and meters the tunnel as its own ({@link PeerProtocol}); a device link ignores
     * them.
     */
    public CompletableFuture<Http2StreamChannel> connect(
            HostAndPort target, ConnectionRecord connection, ConnectionType protocol) {
        if (!throughPeer) {
            return connect(target);
        }
        Http2Headers headers =
                PeerProtocol.forwarding(connection, protocol).method("CONNECT").authority(target.toString());
        return request(headers, false).thenApply(answer -> answer.stream);
    }

    /** Whether this is a peer relay's link to the device rather than the device's own. */
    public boolean throughPeer() {
        return throughPeer;
    }

    /** Asks the device for its status: the heartbeat. */
    public CompletableFuture<StatusReport> status() {
        Http2Headers headers = new DefaultHttp2Headers()
                .method("GET")
                .path(LinkProtocol.STATUS_PATH)
                .scheme("https");
        return request(headers, true).thenApply(answer -> {
            answer.stream.close();
            return StatusReport.readFrom(answer.headers);
        });
    }

    /**
     * Resolves {@code name} with the device's DNS ({@link NameLookup}). Fails with a {@link DeviceRefusal}: with
     * {@code dns_error} when the name does not resolve there, without an error when the device cannot answer such
     * a request (it did not announce {@link LinkFeature#RESOLVE}, or answered 404).
     */
    public CompletableFuture<List<InetAddress>> resolve(String name) {
        if (!features.contains(LinkFeature.RESOLVE)) {
            return CompletableFuture.failedFuture(new DeviceRefusal(DeviceRefusal.Reason.REFUSED, Optional.empty()));
        }
        Http2Headers headers = new DefaultHttp2Headers()
                .method("GET")
                .path(NameLookup.path(name))
                .scheme("https");
        return request(headers, true).thenApply(answer -> {
            answer.stream.close();
            return NameLookup.parse(answer.headers.get(LinkProtocol.ADDRESSES));
        });
    }

    /**
     * Asks the device to change its IP ({@link LinkFeature#ROTATE}): completes with how the rotation ended, when it
     * ended, within {@code timeout}. Fails with a {@link DeviceRefusal}: {@code TIMEOUT} when the device did not answer
     * in time, {@code OFFLINE} when the link ended first (the device then reports it in its next heartbeats),
     * {@code REFUSED} when the agent cannot rotate.
     */
    public CompletableFuture<RotationReport> rotate(UUID rotationId, Duration timeout) {
        if (!features.contains(LinkFeature.ROTATE)) {
            return CompletableFuture.failedFuture(new DeviceRefusal(DeviceRefusal.Reason.REFUSED, Optional.empty()));
        }
        Http2Headers headers = new DefaultHttp2Headers()
                .method("POST")
                .path(LinkProtocol.ROTATE_PATH)
                .scheme("https")
                .set(RotationReport.ROTATION_ID, rotationId.toString());
        return request(headers, true, timeout).thenApply(answer -> {
            answer.stream.close();
            RotationReport report = RotationReport.readFrom(answer.headers);
            if (report == null || !report.rotationId().equals(rotationId)) {
                throw new CompletionException(new DeviceRefusal(DeviceRefusal.Reason.REFUSED, Optional.empty()));
            }
            return report;
        });
    }

    /** Ends the link, telling the device why (it will dial again). */
    public void close() {
        if (channel.isActive()) {
            channel.writeAndFlush(new DefaultHttp2GoAwayFrame(Http2Error.NO_ERROR));
            channel.close();
        }
    }

    Channel channel() {
        return channel;
    }

    private record Answer(Http2StreamChannel stream, Http2Headers headers) {}

    private CompletableFuture<Answer> request(Http2Headers headers, boolean endStream) {
        return request(headers, endStream, openTimeout);
    }

    private CompletableFuture<Answer> request(Http2Headers headers, boolean endStream, Duration answerWithin) {
        CompletableFuture<Answer> answer = new CompletableFuture<>();
        if (!channel.isActive()) {
            answer.completeExceptionally(new DeviceRefusal(DeviceRefusal.Reason.OFFLINE, Optional.empty()));
            return answer;
        }
        new Http2StreamChannelBootstrap(channel)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, TunnelBuffers.STREAM)
                .handler(new ChannelInitializer<Http2StreamChannel>() {
                    @Override
                    protected void initChannel(Http2StreamChannel stream) {
                        stream.pipeline().addLast("answer", new AnswerHandler(answer));
                    }
                })
                .open()
                .addListener(opened -> {
                    if (!opened.isSuccess()) {
                        answer.completeExceptionally(new DeviceRefusal(DeviceRefusal.Reason.OFFLINE, Optional.empty()));
                        return;
                    }
                    Http2StreamChannel stream = (Http2StreamChannel) opened.getNow();
                    stream.writeAndFlush(new DefaultHttp2HeadersFrame(headers, endStream));
                    ScheduledFuture<?> timeout = stream.eventLoop()
                            .schedule(
                                    () -> {
                                        if (answer.completeExceptionally(new DeviceRefusal(
                                                DeviceRefusal.Reason.TIMEOUT,
                                                Optional.of(ProxyStatusError.CONNECTION_TIMEOUT)))) {
                                            stream.close();
                                        }
                                    },
                                    answerWithin.toMillis(),
                                    TimeUnit.MILLISECONDS);
                    answer.whenComplete((done, error) -> timeout.cancel(false));
                    stream.closeFuture()
                            .addListener(closed -> answer.completeExceptionally(
                                    new DeviceRefusal(DeviceRefusal.Reason.OFFLINE, Optional.empty())));
                });
        return answer;
    }

    /** Waits for the device's answer HEADERS, then steps aside. */
    private static final class AnswerHandler extends SimpleChannelInboundHandler<Http2StreamFrame> {
        private final CompletableFuture<Answer> answer;

        AnswerHandler(CompletableFuture<Answer> answer) {
            super(false);
            this.answer = answer;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Http2StreamFrame frame) {
            if (!(frame instanceof Http2HeadersFrame headersFrame)) {
                ReferenceCountUtil.release(frame);
                return;
            }
            Http2Headers headers = headersFrame.headers();
            if ("200".contentEquals(headers.status())) {
                ctx.channel().config().setAutoRead(false);
                ctx.pipeline().remove(this);
                if (!answer.complete(new Answer((Http2StreamChannel) ctx.channel(), headers))) {
                    ctx.close(); // timed out meanwhile
                }
                return;
            }
            Optional<ProxyStatusError> error = ProxyStatusError.parse(headers.get(LinkProtocol.PROXY_STATUS));
            Optional<String> relayRefusal =
                    Optional.ofNullable(headers.get(PeerProtocol.REFUSAL)).map(CharSequence::toString);
            answer.completeExceptionally(new DeviceRefusal(DeviceRefusal.Reason.REFUSED, error, relayRefusal));
            ctx.close();
        }
    }
}
