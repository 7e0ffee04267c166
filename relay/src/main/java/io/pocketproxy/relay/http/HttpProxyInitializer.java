package io.pocketproxy.relay.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.pocketproxy.relay.auth.CustomerAuthenticator;
import io.pocketproxy.relay.tunnel.HeadDeadline;
import io.pocketproxy.relay.tunnel.IdleCloser;
import io.pocketproxy.relay.tunnel.Tunnels;
import java.time.Duration;

/**
 * A customer on the HTTP proxy port: a request head of at most {@code maxHeadBytes}, complete within the
 * head deadline, then {@link HttpAuthorization}, then {@link ConnectTunnel} (for {@code CONNECT}) or
 * {@link HttpForwarder} (for {@code http://} requests).
 */
public final class HttpProxyInitializer extends ChannelInitializer<Channel> {

    static final String DECODER = "http-decoder";
    static final String ENCODER = "http-encoder";
    private static final int MAX_INITIAL_LINE = 8192;

    private final CustomerAuthenticator authenticator;
    private final Tunnels tunnels;
    private final Duration headDeadline;
    private final int maxHeadBytes;

    public HttpProxyInitializer(
            CustomerAuthenticator authenticator, Tunnels tunnels, Duration headDeadline, int maxHeadBytes) {
        this.authenticator = authenticator;
        this.tunnels = tunnels;
        this.headDeadline = headDeadline;
        this.maxHeadBytes = maxHeadBytes;
    }

    @Override
    protected void initChannel(Channel channel) {
        ChannelPipeline pipeline = channel.pipeline();
        pipeline.addLast(HeadDeadline.NAME, new HeadDeadline(headDeadline));
        pipeline.addLast(DECODER, new HttpRequestDecoder(MAX_INITIAL_LINE, maxHeadBytes, 64 * 1024));
        pipeline.addLast(ENCODER, new HttpResponseEncoder());
        pipeline.addLast("authorization", new HttpAuthorization(authenticator, tunnels));
        pipeline.addLast("errors", new IdleCloser());
    }
}
