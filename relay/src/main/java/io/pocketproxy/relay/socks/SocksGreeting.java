package io.pocketproxy.relay.socks;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.socksx.v5.DefaultSocks5InitialResponse;
import io.netty.handler.codec.socksx.v5.Socks5AuthMethod;
import io.netty.handler.codec.socksx.v5.Socks5InitialRequest;
import io.netty.handler.codec.socksx.v5.Socks5PasswordAuthRequestDecoder;
import io.pocketproxy.relay.auth.CustomerAuthenticator;
import io.pocketproxy.relay.tunnel.Tunnels;

/** RFC 1928 greeting: we speak only username/password (RFC 1929); a client that offers no such method is turned away. */
final class SocksGreeting extends SimpleChannelInboundHandler<Socks5InitialRequest> {

    private final CustomerAuthenticator authenticator;
    private final Tunnels tunnels;

    SocksGreeting(CustomerAuthenticator authenticator, Tunnels tunnels) {
        this.authenticator = authenticator;
        this.tunnels = tunnels;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Socks5InitialRequest greeting) {
        if (!greeting.decoderResult().isSuccess()) {
            ctx.close(); // not SOCKS5: nothing sensible to answer
            return;
        }
        if (!greeting.authMethods().contains(Socks5AuthMethod.PASSWORD)) {
            ctx.writeAndFlush(new DefaultSocks5InitialResponse(Socks5AuthMethod.UNACCEPTED))
                    .addListener(ChannelFutureListener.CLOSE);
            return;
        }
        ctx.pipeline()
                .replace(SocksInitializer.DECODER, SocksInitializer.DECODER, new Socks5PasswordAuthRequestDecoder());
        ctx.pipeline().replace(this, "socks", new SocksPasswordCheck(authenticator, tunnels));
        ctx.writeAndFlush(new DefaultSocks5InitialResponse(Socks5AuthMethod.PASSWORD));
    }
}
