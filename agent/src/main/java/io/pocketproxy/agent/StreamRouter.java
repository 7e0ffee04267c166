package io.pocketproxy.agent;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.ReferenceCountUtil;
import io.pocketproxy.agent.egress.DeviceNames;
import io.pocketproxy.agent.rotation.Rotator;
import io.pocketproxy.link.LinkProtocol;
import io.pocketproxy.link.NameLookup;
import io.pocketproxy.link.rotation.RotationReport;
import io.pocketproxy.link.status.StatusReport;
import io.pocketproxy.link.stream.TunnelBuffers;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Gives each stream the relay opens to the handler for its request: {@code CONNECT} to the target dialer,
 * {@code GET /v1/status} to the status answer, {@code GET /v1/resolve} to a name lookup, {@code POST /v1/rotate} to
 * the {@link Rotator}. The router reads only
 * the opening HEADERS, then steps aside.
 */
@ChannelHandler.Sharable
final class StreamRouter extends ChannelInitializer<Http2StreamChannel> {

    private final TargetDialer dialer;
    private final Supplier<StatusReport> status;
    private final DeviceNames names;
    private final Rotator rotator;

    StreamRouter(TargetDialer dialer, Supplier<StatusReport> status, DeviceNames names, Rotator rotator) {
        this.dialer = dialer;
        this.status = status;
        this.names = names;
        this.rotator = rotator;
    }

    @Override
    protected void initChannel(Http2StreamChannel stream) {
        stream.config().setWriteBufferWaterMark(TunnelBuffers.STREAM);
        stream.pipeline().addLast("request", new RequestHandler());
    }

    /** Answers when the rotation ended (it may take minutes), unless the stream or the link is gone by then. */
    private void rotate(ChannelHandlerContext ctx, UUID id) {
        if (id == null) {
            ctx.writeAndFlush(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("400"), true));
            return;
        }
        rotator.rotate(id)
                .thenAccept(report -> ctx.executor().execute(() -> {
                    if (ctx.channel().isActive()) {
                        Http2Headers answer = new DefaultHttp2Headers().status("200");
                        report.writeTo(answer);
                        ctx.writeAndFlush(new DefaultHttp2HeadersFrame(answer, true));
                    }
                }));
    }

    private final class RequestHandler extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof Http2HeadersFrame frame)) {
                ReferenceCountUtil.release(msg);
                ctx.close(); // a stream must open with HEADERS
                return;
            }
            Http2Headers headers = frame.headers();
            String method = String.valueOf(headers.method());
            String path = String.valueOf(headers.path());
            if ("CONNECT".equals(method)) {
                ctx.pipeline()
                        .replace(this, "connect", new ConnectRequest(dialer, String.valueOf(headers.authority())));
            } else if ("GET".equals(method) && LinkProtocol.STATUS_PATH.equals(path)) {
                Http2Headers answer = new DefaultHttp2Headers().status("200");
                status.get().writeTo(answer);
                ctx.writeAndFlush(new DefaultHttp2HeadersFrame(answer, true));
            } else if ("GET".equals(method) && NameLookup.isResolveRequest(path)) {
                ctx.pipeline().replace(this, "resolve", new ResolveRequest(names, path));
            } else if ("POST".equals(method) && LinkProtocol.ROTATE_PATH.equals(path)) {
                rotate(ctx, RotationReport.rotationId(headers));
            } else {
                ctx.writeAndFlush(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("404"), true));
            }
        }
    }
}
