package io.pocketproxy.relay.peer;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.ReferenceCountUtil;
import io.pocketproxy.link.HostAndPort;
import io.pocketproxy.link.LinkProtocol;
import io.pocketproxy.link.NameLookup;
import io.pocketproxy.link.ProxyStatusError;
import io.pocketproxy.link.stream.StreamBytesCodec;
import io.pocketproxy.link.stream.TunnelBuffers;
import io.pocketproxy.relay.auth.Customers;
import io.pocketproxy.relay.directory.ConnectionRecord;
import io.pocketproxy.relay.link.DeviceLink;
import io.pocketproxy.relay.link.PeerProtocol;
import io.pocketproxy.relay.tunnel.IdleCloser;
import io.pocketproxy.relay.tunnel.Refusal;
import io.pocketproxy.relay.tunnel.Tunnels;
import java.util.Objects;
import java.util.Optional;

/**
 * Serves the tunnels a peer relay forwards over its link to one of this relay's devices ({@link PeerProtocol}):
 * each stream is a customer of that relay, already signed in there, and is checked, metered and answered here as a
 * customer of ours would be, so the connection's limit holds wherever its customers come in.
 */
public final class ForwardedStreams {

    private static final String PROXY_NAME = "pocketproxy";

    private final Customers customers;
    private final Tunnels tunnels;

    public ForwardedStreams(Customers customers, Tunnels tunnels) {
        this.customers = customers;
        this.tunnels = tunnels;
    }

    /** What serves the streams of a peer's link to {@code device}. */
    public ChannelHandler forDevice(DeviceLink device) {
        return new ChannelInitializer<Http2StreamChannel>() {
            @Override
            protected void initChannel(Http2StreamChannel stream) {
                stream.config().setWriteBufferWaterMark(TunnelBuffers.STREAM);
                stream.pipeline().addLast("forwarded", new ForwardedStream(device));
            }
        };
    }

    /** One forwarded tunnel: reads its opening HEADERS, then opens the tunnel and answers as the device did. */
    private final class ForwardedStream extends ChannelInboundHandlerAdapter {
        private final DeviceLink device;
        private boolean asked;

        ForwardedStream(DeviceLink device) {
            this.device = device;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (asked) {
                ReferenceCountUtil.release(msg); // nothing comes before our answer; autoRead is off
                return;
            }
            if (!(msg instanceof Http2HeadersFrame frame)) {
                ReferenceCountUtil.release(msg);
                ctx.close(); // a stream must open with HEADERS
                return;
            }
            asked = true;
            Http2Headers headers = frame.headers();
            if (headers.method() != null
                    && "GET".contentEquals(headers.method())
                    && headers.path() != null
                    && NameLookup.isResolveRequest(headers.path())) {
                resolve(ctx, headers.path());
                return;
            }
            Optional<HostAndPort> target = headers.method() != null && "CONNECT".contentEquals(headers.method())
                    ? HostAndPort.tryParse(String.valueOf(headers.authority()))
                    : Optional.empty();
            PeerProtocol.Forwarded forwarded;
            try {
                forwarded = PeerProtocol.Forwarded.from(headers);
            } catch (IllegalArgumentException e) {
                forwarded = null;
            }
            if (target.isEmpty() || forwarded == null) {
                ctx.writeAndFlush(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("400"), true));
                return;
            }
            ctx.channel().config().setAutoRead(false);
            PeerProtocol.Forwarded asking = forwarded;
            customers
                    .find(forwarded.username())
                    .whenComplete((record, error) -> ctx.executor().execute(() -> {
                        if (!ctx.channel().isActive()) {
                            return;
                        }
                        if (error != null) {
                            refuse(ctx, Refusal.of(Refusal.Reason.PROXY_INTERNAL_ERROR));
                            return;
                        }
                        // The same connection, still on this device: it may have been deleted, re-made under the
                        // same name, or moved to another device since the other relay signed its customer in.
                        Optional<ConnectionRecord> connection =
                                record.filter(found -> found.id().equals(asking.connectionId())
                                        && Objects.equals(found.deviceId(), device.deviceId()));
                        if (connection.isEmpty()) {
                            refuse(ctx, Refusal.of(Refusal.Reason.DEVICE_OFFLINE));
                            return;
                        }
                        open(ctx, connection.get(), asking, target.get());
                    }));
        }

        private void open(
                ChannelHandlerContext ctx,
                ConnectionRecord connection,
                PeerProtocol.Forwarded asking,
                HostAndPort target) {
            tunnels.openForwarded(connection, asking.protocol(), target, ctx, device)
                    .whenComplete((tunnel, failure) -> {
                        if (failure != null) {
                            refuse(ctx, Refusal.from(failure));
                            return;
                        }
                        ctx.writeAndFlush(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("200"), false));
                        ChannelPipeline pipeline = ctx.pipeline();
                        pipeline.addFirst("bytes-out", new StreamBytesCodec.Encoder());
                        pipeline.addFirst("bytes-in", new StreamBytesCodec.Decoder());
                        pipeline.remove(this);
                        pipeline.addLast("errors", new IdleCloser()); // the tunnel's idle timeout, as for a customer
                        tunnel.pipe();
                    });
        }

        /**
         * A name lookup for an OpenVPN customer of the other relay ({@code GET /v1/resolve}): asked of the device, and
         * answered as the device answered (the forwarding relay counts it against the connection's streams).
         */
        private void resolve(ChannelHandlerContext ctx, CharSequence path) {
            Optional<String> name = NameLookup.nameOf(path);
            if (name.isEmpty()) {
                ctx.writeAndFlush(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("400"), true));
                return;
            }
            device.resolve(name.get())
                    .whenComplete((addresses, failure) -> ctx.executor().execute(() -> {
                        if (!ctx.channel().isActive()) {
                            return;
                        }
                        Http2Headers answer;
                        if (failure == null) {
                            answer = new DefaultHttp2Headers().status("200");
                            answer.set(LinkProtocol.ADDRESSES, NameLookup.format(addresses));
                        } else {
                            Optional<ProxyStatusError> error =
                                    Refusal.from(failure).deviceError();
                            answer = new DefaultHttp2Headers()
                                    .status(Integer.toString(error.map(ProxyStatusError::httpStatus)
                                            .orElse(502)));
                            error.ifPresent(
                                    known -> answer.set(LinkProtocol.PROXY_STATUS, known.headerValue(PROXY_NAME)));
                        }
                        ctx.writeAndFlush(new DefaultHttp2HeadersFrame(answer, true));
                    }));
        }

        /** Answers as the device does (section 4.6), naming our own reason for the forwarding relay to pass on. */
        private void refuse(ChannelHandlerContext ctx, Refusal refusal) {
            if (!ctx.channel().isActive()) {
                return;
            }
            int status = refusal.deviceError().map(ProxyStatusError::httpStatus).orElse(502);
            Http2Headers headers = new DefaultHttp2Headers()
                    .status(Integer.toString(status))
                    .set(LinkProtocol.PROXY_STATUS, PROXY_NAME + "; error=" + refusal.proxyStatusType())
                    .set(PeerProtocol.REFUSAL_HEADER, refusal.reason().type());
            ctx.writeAndFlush(new DefaultHttp2HeadersFrame(headers, true));
        }
    }
}
