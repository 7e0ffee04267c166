package io.pocketproxy.relay;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.pocketproxy.link.Transport;
import io.pocketproxy.relay.directory.InMemoryDirectory;
import io.pocketproxy.relay.http.HttpProxyInitializer;
import io.pocketproxy.relay.link.DeviceLinks;
import io.pocketproxy.relay.metering.Meters;
import io.pocketproxy.relay.socks.SocksInitializer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The relay's customer side on loopback, without the control plane: SOCKS5 and HTTP proxy listeners with the
 * real authenticator, meters and tunnel hand-off over an {@link InMemoryDirectory}, in front of whatever
 * {@link DeviceLinks} a test gives (a {@link io.pocketproxy.relay.link.ScriptedDevice}'s). Customers are
 * accepted on event loops of their own, so every tunnel has to move onto its link's loop.
 */
public final class LocalProxies implements AutoCloseable {

    private final EventLoopGroup customerLoops = Transport.eventLoops(2, "local-proxies");
    private final List<Channel> accepted = new CopyOnWriteArrayList<>();
    private final RelayParts parts;
    private final Duration idleTimeout;
    private Channel socks;
    private Channel http;

    private LocalProxies(DeviceLinks links, int maxStreamsPerConnection, Duration idleTimeout) {
        this.idleTimeout = idleTimeout;
        this.parts = new RelayParts(links, maxStreamsPerConnection, idleTimeout);
    }

    public static LocalProxies start(DeviceLinks links, int maxStreamsPerConnection, Duration idleTimeout) {
        LocalProxies proxies = new LocalProxies(links, maxStreamsPerConnection, idleTimeout);
        Duration headDeadline = Duration.ofSeconds(10);
        proxies.socks = proxies.listen(
                new SocksInitializer(proxies.parts.authenticator(), proxies.parts.tunnels(), headDeadline));
        proxies.http = proxies.listen(new HttpProxyInitializer(
                proxies.parts.authenticator(), proxies.parts.tunnels(), headDeadline, 64 * 1024));
        return proxies;
    }

    private Channel listen(ChannelInitializer<Channel> protocol) {
        return new ServerBootstrap()
                .group(customerLoops)
                .channel(Transport.serverChannel())
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        accepted.add(channel);
                        channel.pipeline().addLast(protocol);
                    }
                })
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .syncUninterruptibly()
                .channel();
    }

    public InMemoryDirectory directory() {
        return parts.directory();
    }

    public Meters meters() {
        return parts.meters();
    }

    /** The relay's ends of every customer connection accepted so far, in order. */
    public List<Channel> accepted() {
        return List.copyOf(accepted);
    }

    public int socksPort() {
        return ((InetSocketAddress) socks.localAddress()).getPort();
    }

    public int httpPort() {
        return ((InetSocketAddress) http.localAddress()).getPort();
    }

    public Duration idleTimeout() {
        return idleTimeout;
    }

    @Override
    public void close() {
        socks.close().syncUninterruptibly();
        http.close().syncUninterruptibly();
        customerLoops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        parts.close();
    }
}
