package io.pocketproxy.relay;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.util.concurrent.EventExecutor;
import io.pocketproxy.link.HostAndPort;
import io.pocketproxy.link.Transport;
import io.pocketproxy.link.stream.TunnelBuffers;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/**
 * A port customers connect to (HTTP proxy, SOCKS5).
 *
 * <p>On Linux it is bound once per event loop with {@code SO_REUSEPORT}, the kernel spreads new connections over
 * the listeners, and each customer stays on the loop that accepted it: no hand-over from an accepting thread, so
 * one thread fewer to wake in every customer's first round trip (on a busy machine each wake-up is a wait for a
 * time slice). Only sockets of the same user can join a reuse-port group. Elsewhere one listener accepts for all
 * loops, Netty's usual acceptor and workers.
 */
final class CustomerPort implements AutoCloseable {

    private final List<Channel> listeners;

    private CustomerPort(List<Channel> listeners) {
        this.listeners = listeners;
    }

    static CustomerPort bind(
            EventLoopGroup acceptor,
            EventLoopGroup workers,
            String host,
            int port,
            ChannelInitializer<Channel> customers) {
        List<Channel> listeners = new ArrayList<>();
        if (!Epoll.isAvailable()) {
            listeners.add(bootstrap(acceptor, workers, customers)
                    .bind(host, port)
                    .syncUninterruptibly()
                    .channel());
            return new CustomerPort(listeners);
        }
        requireFree(host, port);
        int bound = port; // 0 asks for any port once; the other loops' listeners join the one it got
        try {
            for (EventExecutor executor : workers) {
                EventLoop loop = (EventLoop) executor;
                Channel listener = bootstrap(loop, loop, customers)
                        .option(EpollChannelOption.SO_REUSEPORT, true)
                        .bind(host, bound)
                        .syncUninterruptibly()
                        .channel();
                listeners.add(listener);
                bound = ((InetSocketAddress) listener.localAddress()).getPort();
            }
        } catch (RuntimeException e) {
            listeners.forEach(Channel::close);
            throw e;
        }
        return new CustomerPort(listeners);
    }

    /**
     * A port something else listens on must fail loudly, as a plain bind does. A reuse-port group would quietly
     * share it with another relay of the same user started on the same port.
     */
    private static void requireFree(String host, int port) {
        if (port == 0) {
            return;
        }
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(new InetSocketAddress(host, port));
        } catch (IOException e) {
            throw new IllegalStateException(
                    "cannot listen on " + HostAndPort.format(host, port) + ": " + e.getMessage() + " (is it in use?)",
                    e);
        }
    }

    private static ServerBootstrap bootstrap(
            EventLoopGroup acceptor, EventLoopGroup workers, ChannelInitializer<Channel> customers) {
        return new ServerBootstrap()
                .group(acceptor, workers)
                .channel(Transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, TunnelBuffers.TUNNEL_SOCKET)
                .childOption(ChannelOption.RCVBUF_ALLOCATOR, TunnelBuffers.READS)
                .childHandler(customers);
    }

    int port() {
        return ((InetSocketAddress) listeners.get(0).localAddress()).getPort();
    }

    @Override
    public void close() {
        for (Channel listener : listeners) {
            listener.close().syncUninterruptibly();
        }
    }
}
