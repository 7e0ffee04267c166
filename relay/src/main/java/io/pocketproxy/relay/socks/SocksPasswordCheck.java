package io.pocketproxy.relay.socks;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.socksx.v5.DefaultSocks5PasswordAuthResponse;
import io.netty.handler.codec.socksx.v5.Socks5CommandRequestDecoder;
import io.netty.handler.codec.socksx.v5.Socks5PasswordAuthRequest;
import io.netty.handler.codec.socksx.v5.Socks5PasswordAuthStatus;
import io.pocketproxy.relay.auth.AuthOutcome;
import io.pocketproxy.relay.auth.CustomerAuthenticator;
import io.pocketproxy.relay.directory.ConnectionRecord;
import io.pocketproxy.relay.tunnel.Completions;
import io.pocketproxy.relay.tunnel.HeadDeadline;
import io.pocketproxy.relay.tunnel.Tunnels;
import java.net.InetSocketAddress;

/** RFC 1929: checks the username and password (off the event loop unless already known), then waits for the command. */
final class SocksPasswordCheck extends SimpleChannelInboundHandler<Socks5PasswordAuthRequest> {

    /**
     * RFC 1929 has one success status and calls every other a failure; Netty's {@code FAILURE} is 0xFF. A check
     * we could not make, or could not queue, answers 0x01, so that a client (or its operator) can tell "try again
     * later" from "wrong password".
     */
    static final Socks5PasswordAuthStatus UNAVAILABLE = Socks5PasswordAuthStatus.valueOf((byte) 0x01);

    private final CustomerAuthenticator authenticator;
    private final Tunnels tunnels;

    SocksPasswordCheck(CustomerAuthenticator authenticator, Tunnels tunnels) {
        this.authenticator = authenticator;
        this.tunnels = tunnels;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Socks5PasswordAuthRequest request) {
        if (!request.decoderResult().isSuccess()) {
            ctx.close();
            return;
        }
        ctx.channel().config().setAutoRead(false);
        HeadDeadline.pause(ctx); // a check may wait in the queue: that is our time, not the client's
        String address =
                ((InetSocketAddress) ctx.channel().remoteAddress()).getAddress().getHostAddress();
        Completions.then(
                ctx,
                authenticator.authenticate(request.username(), request.password(), address, ctx.executor()),
                (outcome, never) -> decide(ctx, outcome));
    }

    private void decide(ChannelHandlerContext ctx, AuthOutcome<ConnectionRecord> outcome) {
        if (!ctx.channel().isActive()) {
            return;
        }
        switch (outcome) {
            case AuthOutcome.Accepted<ConnectionRecord> accepted -> {
                ctx.pipeline()
                        .replace(SocksInitializer.DECODER, SocksInitializer.DECODER, new Socks5CommandRequestDecoder());
                ctx.pipeline().replace(this, "socks", new SocksCommand(tunnels, accepted.account()));
                ctx.writeAndFlush(new DefaultSocks5PasswordAuthResponse(Socks5PasswordAuthStatus.SUCCESS));
                HeadDeadline.resume(ctx);
                ctx.channel().config().setAutoRead(true);
            }
            // Wrong credentials and too many failures get the same answer: SOCKS5 has no "try later".
            case AuthOutcome.Rejected<ConnectionRecord> rejected -> fail(ctx, Socks5PasswordAuthStatus.FAILURE);
            case AuthOutcome.Throttled<ConnectionRecord> throttled -> fail(ctx, Socks5PasswordAuthStatus.FAILURE);
            case AuthOutcome.Busy<ConnectionRecord> busy -> fail(ctx, UNAVAILABLE);
            case AuthOutcome.Unavailable<ConnectionRecord> unavailable -> fail(ctx, UNAVAILABLE);
        }
    }

    private static void fail(ChannelHandlerContext ctx, Socks5PasswordAuthStatus status) {
        ctx.writeAndFlush(new DefaultSocks5PasswordAuthResponse(status)).addListener(ChannelFutureListener.CLOSE);
    }
}
