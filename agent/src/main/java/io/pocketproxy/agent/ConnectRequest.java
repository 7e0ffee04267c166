package io.pocketproxy.agent;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.util.ReferenceCountUtil;
import io.pocketproxy.link.HostAndPort;
import io.pocketproxy.link.LinkProtocol;
import io.pocketproxy.link.stream.Pipe;
import io.pocketproxy.link.stream.StreamBytesCodec;
import java.util.Optional;

/**
 * Serves one {@code CONNECT host:port} stream: dials the target (resolving the name on the device), then
 * answers {@code 200} and joins the stream to the target socket, or answers an error status with an
 * RFC 9209 {@code proxy-status}. The stream stays silent until the outcome is known.
 */
final class ConnectRequest extends ChannelInboundHandlerAdapter {

    private final TargetDialer dialer;
    private final String authority;

    ConnectRequest(TargetDialer dialer, String authority) {
        this.dialer = dialer;
        this.authority = authority;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        ctx.channel().config().setAutoRead(false); // no DATA until the target answers
        Optional<HostAndPort> target = HostAndPort.tryParse(authority);
        if (!target.isPresent()) {
            ctx.writeAndFlush(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("400"), true));
            return;
        }
        dialer.dial(ctx.channel().eventLoop(), target.get(), (socket, error) -> {
            if (!ctx.channel().isActive()) {
                if (socket != null) {
                    socket.close(); // the customer gave up while we dialled
                }
                return;
            }
            if (error != null) {
                DefaultHttp2Headers headers = new DefaultHttp2Headers();
                headers.status(Integer.toString(error.httpStatus()));
                headers.set(LinkProtocol.PROXY_STATUS, error.headerValue(LinkProtocol.AGENT_PROXY_NAME));
                ctx.writeAndFlush(new DefaultHttp2HeadersFrame(headers, true));
                return;
            }
            open(ctx, socket);
        });
    }

    /** On the link's event loop, where the target was dialled too: stream and socket are joined in one step. */
    private void open(ChannelHandlerContext ctx, Channel socket) {
        Channel stream = ctx.channel();
        ctx.writeAndFlush(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("200"), false));
        stream.pipeline().addLast("bytes-in", new StreamBytesCodec.Decoder());
        stream.pipeline().addLast("bytes-out", new StreamBytesCodec.Encoder());
        stream.pipeline().remove(this);
        Pipe.join(stream, socket);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ReferenceCountUtil.release(msg); // nothing may arrive before the answer; autoRead is off
    }
}
