package io.pocketproxy.relay.socks;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.socksx.v5.Socks5InitialRequestDecoder;
import io.netty.handler.codec.socksx.v5.Socks5ServerEncoder;
import io.pocketproxy.relay.auth.CustomerAuthenticator;
import io.pocketproxy.relay.tunnel.HeadDeadline;
import io.pocketproxy.relay.tunnel.IdleCloser;
import io.pocketproxy.relay.tunnel.Tunnels;
import java.time.Duration;

/**
 * A customer on the SOCKS5 port (RFC 1928): the greeting ({@link SocksGreeting}), username and password
 * (RFC 1929, {@link SocksPasswordCheck}), then the command ({@link SocksCommand}); each step replaces
 * itself with the next, and the whole exchange must finish within the head deadline.
 */
public final class SocksInitializer extends ChannelInitializer<Channel> {

    static final String DECODER = "socks-decoder";
    static final String ENCODER = "socks-encoder";

    private final CustomerAuthenticator authenticator;
    private final Tunnels tunnels;
    private final Duration headDeadline;

    public SocksInitializer(CustomerAuthenticator authenticator, Tunnels tunnels, Duration headDeadline) {
        this.authenticator = authenticator;
        this.tunnels = tunnels;
        this.headDeadline = headDeadline;
    }

    @Override
    protected void initChannel(Channel channel) {
        ChannelPipeline pipeline = channel.pipeline();
        pipeline.addLast(HeadDeadline.NAME, new HeadDeadline(headDeadline));
        pipeline.addLast(ENCODER, Socks5ServerEncoder.DEFAULT);
        pipeline.addLast(DECODER, new Socks5InitialRequestDecoder());
        pipeline.addLast("socks", new SocksGreeting(authenticator, tunnels));
        pipeline.addLast("errors", new IdleCloser());
    }
}
