package io.pocketproxy.relay.link;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.pocketproxy.link.LinkSettings;
import io.pocketproxy.link.Transport;
import io.pocketproxy.link.stream.TunnelBuffers;
import io.pocketproxy.relay.directory.DeviceDirectory;
import io.pocketproxy.relay.tls.RelayCertificate;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.function.Function;
import javax.net.ssl.SSLException;

/**
 * Accepts devices' links on the link port and keeps them in {@link DeviceLinks}, and the farm's other relays' links
 * to those devices ({@link PeerProtocol}).
 */
public final class LinkServer implements AutoCloseable {

    private final Channel listener;

    private LinkServer(Channel listener) {
        this.listener = listener;
    }

    public static LinkServer start(
            EventLoopGroup boss,
            EventLoopGroup workers,
            InetSocketAddress address,
            RelayCertificate certificate,
            LinkSettings settings,
            DeviceDirectory devices,
            DeviceLinks links,
            Duration handshakeTimeout,
            Duration openTimeout,
            Duration heartbeatInterval,
            Clock clock,
            Function<DeviceLink, ChannelHandler> forwardedStreams) {
        SslContext ssl;
        try {
            // Devices show no certificate; a peer relay shows the farm's, and any other is refused in the handshake.
            ssl = SslContextBuilder.forServer(certificate.privateKey(), certificate.certificate())
                    .clientAuth(ClientAuth.OPTIONAL)
                    .trustManager(certificate.trustingItself())
                    .build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot use the relay certificate for TLS", e);
        }
        Heartbeats heartbeats = new Heartbeats(devices, heartbeatInterval, clock);
        LinkInitializer initializer = new LinkInitializer(
                ssl,
                settings,
                devices,
                handshakeTimeout,
                openTimeout,
                (link, fromLiveRelay, linkingSince) -> {
                    links.register(link, fromLiveRelay, linkingSince);
                    heartbeats.start(link);
                },
                links,
                forwardedStreams);
        Channel listener = new ServerBootstrap()
                .group(boss, workers)
                .channel(Transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, TunnelBuffers.LINK)
                .childOption(ChannelOption.RCVBUF_ALLOCATOR, TunnelBuffers.READS)
                .childHandler(initializer)
                .bind(address)
                .syncUninterruptibly()
                .channel();
        return new LinkServer(listener);
    }

    public int port() {
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    @Override
    public void close() {
        listener.close().syncUninterruptibly();
    }
}
