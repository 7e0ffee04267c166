package io.pocketproxy.relay.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.ReferenceCountUtil;
import io.pocketproxy.link.stream.Pipe;
import io.pocketproxy.relay.directory.ConnectionRecord;
import io.pocketproxy.relay.tunnel.Refusal;
import io.pocketproxy.relay.tunnel.Tunnels;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code CONNECT host:port}: opens the tunnel through the device, answers {@code 200 Connection
 * established}, and from then on only moves bytes. A refusal is answered with the status and
 * {@code Proxy-Status} that say why.
 */
final class ConnectTunnel extends ChannelInboundHandlerAdapter {

    private static final HttpResponseStatus ESTABLISHED = new HttpResponseStatus(200, "Connection established");

    private final Tunnels tunnels;
    private final ConnectionRecord connection;
    private final List<ByteBuf> early = new ArrayList<>();
    private boolean opening;

    ConnectTunnel(Tunnels tunnels, ConnectionRecord connection) {
        this.tunnels = tunnels;
        this.connection = connection;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest request && !opening) {
            opening = true;
            String authority = request.uri();
            if (!isAuthority(authority)) {
                ProxyResponses.badRequest(
                        ctx, HttpResponseStatus.BAD_REQUEST, "CONNECT needs host:port, got " + authority);
                return;
            }
            tunnels.open(connection, authority, ctx.channel(), (stream, refusal) -> opened(ctx, stream, refusal));
        } else if (msg instanceof ByteBuf bytes && bytes.isReadable()) {
            early.add(bytes); // a client that did not wait for our 200
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    private void opened(ChannelHandlerContext ctx, Http2StreamChannel stream, Refusal refusal) {
        if (refusal != null) {
            releaseEarly();
            ProxyResponses.refuse(ctx, refusal);
            return;
        }
        ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, ESTABLISHED));
        List<ByteBuf> first = new ArrayList<>(early);
        early.clear();
        ctx.pipeline().remove(HttpProxyInitializer.ENCODER);
        ctx.pipeline().remove(this);
        first.forEach(stream::write);
        stream.flush();
        Pipe.join(ctx.channel(), stream);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        releaseEarly();
    }

    private void releaseEarly() {
        early.forEach(ByteBuf::release);
        early.clear();
    }

    private static boolean isAuthority(String authority) {
        int colon = authority.lastIndexOf(':');
        if (colon <= 0 || authority.contains("/") || authority.contains("@")) {
            return false;
        }
        try {
            int port = Integer.parseInt(authority.substring(colon + 1));
            return port > 0 && port <= 65535;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
