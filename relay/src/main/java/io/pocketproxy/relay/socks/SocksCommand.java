package io.pocketproxy.relay.socks;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.socksx.v5.DefaultSocks5CommandResponse;
import io.netty.handler.codec.socksx.v5.Socks5AddressType;
import io.netty.handler.codec.socksx.v5.Socks5CommandRequest;
import io.netty.handler.codec.socksx.v5.Socks5CommandStatus;
import io.netty.handler.codec.socksx.v5.Socks5CommandType;
import io.netty.util.ReferenceCountUtil;
import io.pocketproxy.link.ProxyStatusError;
import io.pocketproxy.link.stream.Pipe;
import io.pocketproxy.relay.directory.ConnectionRecord;
import io.pocketproxy.relay.tunnel.HeadDeadline;
import io.pocketproxy.relay.tunnel.Refusal;
import io.pocketproxy.relay.tunnel.Tunnels;
import java.util.ArrayList;
import java.util.List;

/**
 * The SOCKS5 command: {@code CONNECT} to an IPv4, IPv6 or domain address (a domain is resolved on the
 * device, never here) opens the tunnel and answers {@code succeeded}; {@code BIND} and
 * {@code UDP ASSOCIATE} are answered {@code command not supported} (0x07).
 */
final class SocksCommand extends ChannelInboundHandlerAdapter {

    private final Tunnels tunnels;
    private final ConnectionRecord connection;
    private final List<ByteBuf> early = new ArrayList<>();
    private boolean opening;

    SocksCommand(Tunnels tunnels, ConnectionRecord connection) {
        this.tunnels = tunnels;
        this.connection = connection;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Socks5CommandRequest command && !opening) {
            opening = true;
            if (!command.decoderResult().isSuccess()) {
                ctx.close();
                return;
            }
            HeadDeadline.met(ctx);
            if (command.type() != Socks5CommandType.CONNECT) {
                reply(ctx, Socks5CommandStatus.COMMAND_UNSUPPORTED).addListener(ChannelFutureListener.CLOSE);
                return;
            }
            ctx.channel().config().setAutoRead(false);
            String host =
                    command.dstAddrType() == Socks5AddressType.IPv6 ? "[" + command.dstAddr() + "]" : command.dstAddr();
            tunnels.open(
                    connection,
                    host + ":" + command.dstPort(),
                    ctx.channel(),
                    (stream, refusal) -> opened(ctx, stream, refusal));
        } else if (msg instanceof ByteBuf bytes && bytes.isReadable()) {
            early.add(bytes); // a client that did not wait for our reply
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    private void opened(ChannelHandlerContext ctx, Http2StreamChannel stream, Refusal refusal) {
        if (refusal != null) {
            reply(ctx, statusOf(refusal)).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        reply(ctx, Socks5CommandStatus.SUCCESS);
        List<ByteBuf> first = new ArrayList<>(early);
        early.clear();
        ctx.pipeline().remove(SocksInitializer.DECODER);
        ctx.pipeline().remove(SocksInitializer.ENCODER);
        ctx.pipeline().remove(this);
        first.forEach(stream::write);
        stream.flush();
        Pipe.join(ctx.channel(), stream);
    }

    private static io.netty.channel.ChannelFuture reply(ChannelHandlerContext ctx, Socks5CommandStatus status) {
        return ctx.writeAndFlush(new DefaultSocks5CommandResponse(status, Socks5AddressType.IPv4, "0.0.0.0", 0));
    }

    /** Our refusals in SOCKS5's reply codes. */
    static Socks5CommandStatus statusOf(Refusal refusal) {
        return switch (refusal.reason()) {
            case CONNECTION_DISABLED, BANDWIDTH_LIMIT_REACHED -> Socks5CommandStatus.FORBIDDEN;
            case TOO_MANY_STREAMS -> Socks5CommandStatus.FAILURE;
            case DEVICE_OFFLINE -> Socks5CommandStatus.NETWORK_UNREACHABLE;
            case DEVICE_ERROR ->
                refusal.deviceError().map(SocksCommand::statusOf).orElse(Socks5CommandStatus.FAILURE);
        };
    }

    private static Socks5CommandStatus statusOf(ProxyStatusError error) {
        return switch (error) {
            case DNS_ERROR, CONNECTION_TIMEOUT, DESTINATION_UNAVAILABLE -> Socks5CommandStatus.HOST_UNREACHABLE;
            case CONNECTION_REFUSED -> Socks5CommandStatus.CONNECTION_REFUSED;
            case DESTINATION_IP_PROHIBITED -> Socks5CommandStatus.FORBIDDEN;
            case PROXY_INTERNAL_ERROR -> Socks5CommandStatus.FAILURE;
        };
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        early.forEach(ByteBuf::release);
        early.clear();
    }
}
