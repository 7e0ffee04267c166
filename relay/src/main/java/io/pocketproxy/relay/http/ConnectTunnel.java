package io.pocketproxy.relay.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import io.pocketproxy.link.HostAndPort;
import io.pocketproxy.relay.directory.ConnectionRecord;
import io.pocketproxy.relay.directory.ConnectionType;
import io.pocketproxy.relay.tunnel.Completions;
import io.pocketproxy.relay.tunnel.Refusal;
import io.pocketproxy.relay.tunnel.Tunnels;

/**
 * {@code CONNECT host:port}: opens the tunnel through the device, answers {@code 200 Connection
 * established}, and from then on only moves bytes. A refusal is answered with the status and
 * {@code Proxy-Status} that say why.
 */
final class ConnectTunnel extends ChannelInboundHandlerAdapter {

    private static final HttpResponseStatus ESTABLISHED = new HttpResponseStatus(200, "Connection established");

    private final Tunnels tunnels;
    private final ConnectionRecord connection;

    ConnectTunnel(Tunnels tunnels, ConnectionRecord connection) {
        this.tunnels = tunnels;
        this.connection = connection;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof HttpRequest request)) {
            // The tunnel's first bytes wait in the hold in front of us; nothing else is expected.
            ReferenceCountUtil.release(msg);
            return;
        }
        HostAndPort target;
        try {
            target = HostAndPort.parse(request.uri());
        } catch (IllegalArgumentException e) {
            ProxyResponses.badRequest(ctx, HttpResponseStatus.BAD_REQUEST, "CONNECT target " + e.getMessage());
            return;
        }
        Completions.then(ctx, tunnels.open(connection, ConnectionType.HTTP, target, ctx), (tunnel, refusal) -> {
            if (refusal != null) {
                ProxyResponses.refuse(ctx, Refusal.from(refusal));
                return;
            }
            ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, ESTABLISHED));
            ctx.pipeline().remove(HttpProxyInitializer.ENCODER);
            ctx.pipeline().remove(this);
            tunnel.pipe();
        });
    }
}
