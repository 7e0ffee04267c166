package io.pocketproxy.relay.socks;

import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.socksx.v5.DefaultSocks5CommandResponse;
import io.netty.handler.codec.socksx.v5.Socks5AddressType;
import io.netty.handler.codec.socksx.v5.Socks5CommandRequest;
import io.netty.handler.codec.socksx.v5.Socks5CommandStatus;
import io.netty.handler.codec.socksx.v5.Socks5CommandType;
import io.netty.util.ReferenceCountUtil;
import io.pocketproxy.link.HostAndPort;
import io.pocketproxy.link.ProxyStatusError;
import io.pocketproxy.relay.directory.ConnectionRecord;
import io.pocketproxy.relay.directory.ConnectionType;
import io.pocketproxy.relay.tunnel.Completions;
import io.pocketproxy.relay.tunnel.HeadDeadline;
import io.pocketproxy.relay.tunnel.Refusal;
import io.pocketproxy.relay.tunnel.Tunnels;

/**
 * The SOCKS5 command: {@code CONNECT} to an IPv4, IPv6 or domain address (a domain is resolved on the
 * device, never here) opens the tunnel and answers {@code succeeded}; {@code BIND} and
 * {@code UDP ASSOCIATE} are answered {@code command not supported} (0x07).
 */
final class SocksCommand extends ChannelInboundHandlerAdapter {

    private final Tunnels tunnels;
    private final ConnectionRecord connection;

    SocksCommand(Tunnels tunnels, ConnectionRecord connection) {
        this.tunnels = tunnels;
        this.connection = connection;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof Socks5CommandRequest command)) {
            // Bytes after the command are kept by the tunnel's hold in front of us; nothing else is expected.
            ReferenceCountUtil.release(msg);
            return;
        }
        if (!command.decoderResult().isSuccess()) {
            ctx.close();
            return;
        }
        HeadDeadline.met(ctx);
        if (command.type() != Socks5CommandType.CONNECT) {
            reply(ctx, Socks5CommandStatus.COMMAND_UNSUPPORTED).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        HostAndPort target;
        try {
            target = HostAndPort.ofSocks5(command.dstAddrType().byteValue(), command.dstAddr(), command.dstPort());
        } catch (IllegalArgumentException e) {
            reply(ctx, Socks5CommandStatus.ADDRESS_UNSUPPORTED).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        Completions.then(ctx, tunnels.open(connection, ConnectionType.SOCKS5, target, ctx), (tunnel, refusal) -> {
            if (refusal != null) {
                reply(ctx, statusOf(Refusal.from(refusal))).addListener(ChannelFutureListener.CLOSE);
                return;
            }
            reply(ctx, Socks5CommandStatus.SUCCESS);
            ctx.pipeline().remove(SocksInitializer.DECODER);
            ctx.pipeline().remove(SocksInitializer.ENCODER);
            ctx.pipeline().remove(this);
            tunnel.pipe();
        });
    }

    private static ChannelFuture reply(ChannelHandlerContext ctx, Socks5CommandStatus status) {
        return ctx.writeAndFlush(new DefaultSocks5CommandResponse(status, Socks5AddressType.IPv4, "0.0.0.0", 0));
    }

    /** Our refusals in SOCKS5's reply codes. */
    static Socks5CommandStatus statusOf(Refusal refusal) {
        return switch (refusal.reason()) {
            case CONNECTION_TYPE_MISMATCH, CONNECTION_DISABLED, BANDWIDTH_LIMIT_REACHED ->
                Socks5CommandStatus.FORBIDDEN;
            case TOO_MANY_STREAMS, PROXY_INTERNAL_ERROR -> Socks5CommandStatus.FAILURE;
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
}
