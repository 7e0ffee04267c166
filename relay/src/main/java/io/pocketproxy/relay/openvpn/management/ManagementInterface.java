package io.pocketproxy.relay.openvpn.management;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.unix.PeerCredentials;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.handler.codec.string.StringDecoder;
import io.netty.handler.codec.string.StringEncoder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Our end of OpenVPN's management interface. We listen on a Unix socket (mode 0600, in the data directory's
 * private {@code openvpn/} directory) and OpenVPN, started with {@code --management-client}, connects to it;
 * should our process die, the socket closes and OpenVPN stops itself, so a crash leaves no VPN running that
 * nobody authenticates for. Only the OpenVPN process we started is accepted: the peer's process id, which
 * the kernel vouches for, must be its.
 *
 * <p>With {@code --management-client-auth} every client's sign-in comes here ({@link ClientRequest}) and waits
 * for our answer: the password travels from OpenVPN to us over this socket and nowhere else.
 */
public final class ManagementInterface implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ManagementInterface.class);

    /** Longer than any line OpenVPN sends; a line beyond it is a broken peer. */
    private static final int MAX_LINE = 16 * 1024;

    private final Path socket;
    private final CompletableFuture<Long> expectedPeer = new CompletableFuture<>();
    private Channel listener;
    private volatile Channel connection;

    private ManagementInterface(Path socket) {
        this.socket = socket;
    }

    /**
     * Listens on {@code socket} (an old socket file there is replaced). Events reach {@code events} on the
     * connection's event loop; {@code group} must be an epoll group.
     */
    public static ManagementInterface listen(EventLoopGroup group, Path socket, ManagementListener events) {
        try {
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the old management socket " + socket, e);
        }
        ManagementInterface management = new ManagementInterface(socket);
        management.listener = new ServerBootstrap()
                .group(group)
                .channel(EpollServerDomainSocketChannel.class)
                .childHandler(new ChannelInitializer<EpollDomainSocketChannel>() {
                    @Override
                    protected void initChannel(EpollDomainSocketChannel channel) {
                        management.accept(channel, events);
                    }
                })
                .bind(new DomainSocketAddress(socket.toFile()))
                .syncUninterruptibly()
                .channel();
        try {
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException e) {
            management.listener.close().syncUninterruptibly();
            throw new UncheckedIOException("cannot make the management socket " + socket + " private", e);
        }
        return management;
    }

    /** The OpenVPN process we started: the only peer we talk to. */
    public void expectPeer(long pid) {
        expectedPeer.complete(pid);
    }

    private void accept(EpollDomainSocketChannel channel, ManagementListener events) {
        channel.config().setAutoRead(false);
        channel.pipeline()
                .addLast("lines", new LineBasedFrameDecoder(MAX_LINE))
                .addLast("text-in", new StringDecoder(StandardCharsets.UTF_8))
                .addLast("text-out", new StringEncoder(StandardCharsets.UTF_8))
                .addLast("peer-check", new PeerCheck(events));
    }

    /** Lets the connection in once its peer is known to be our OpenVPN; then steps aside for the protocol. */
    private final class PeerCheck extends ChannelInboundHandlerAdapter {
        private final ManagementListener events;

        PeerCheck(ManagementListener events) {
            this.events = events;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            EpollDomainSocketChannel channel = (EpollDomainSocketChannel) ctx.channel();
            expectedPeer.thenAccept(pid -> channel.eventLoop().execute(() -> admit(ctx, channel, pid)));
        }

        private void admit(ChannelHandlerContext ctx, EpollDomainSocketChannel channel, long pid) {
            if (!channel.isActive()) {
                return;
            }
            PeerCredentials peer;
            try {
                peer = channel.peerCredentials();
            } catch (IOException e) {
                log.warn("closing a management connection whose peer cannot be identified", e);
                channel.close();
                return;
            }
            if (peer.pid() != pid || connection != null) {
                log.warn(
                        "closing a management connection from process {} (expected: our OpenVPN, process {}, once)",
                        peer.pid(),
                        pid);
                channel.close();
                return;
            }
            connection = channel;
            ctx.pipeline().replace(this, "management", new ManagementHandler(events));
            channel.closeFuture().addListener(closed -> connection = null);
            channel.config().setAutoRead(true);
        }
    }

    /** Whether OpenVPN is connected to us now. */
    public boolean connected() {
        Channel current = connection;
        return current != null && current.isActive();
    }

    /** Lets the client in ({@code client-auth-nt}). */
    public void authorize(long clientId, long keyId) {
        send("client-auth-nt " + clientId + " " + keyId);
    }

    /**
     * Refuses the client ({@code client-deny}): {@code reason} goes to OpenVPN's log, {@code clientReason} to the
     * client, which reports {@code AUTH_FAILED,<clientReason>}.
     */
    public void deny(long clientId, long keyId, String reason, String clientReason) {
        send("client-deny " + clientId + " " + keyId + " " + quoted(reason) + " " + quoted(clientReason));
    }

    /** Ends the client's session now ({@code client-kill}); the client is told to restart, and may sign in again. */
    public void kill(long clientId) {
        send("client-kill " + clientId);
    }

    private void send(String command) {
        Channel current = connection;
        if (current == null || !current.isActive()) {
            log.debug("OpenVPN is not connected; dropping the command {}", command.split(" ")[0]);
            return;
        }
        current.writeAndFlush(command + "\n");
    }

    /** The management interface's quoting: double quotes, with backslash escapes for quotes and backslashes. */
    static String quoted(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    @Override
    public void close() {
        Channel current = connection;
        if (current != null) {
            current.close().syncUninterruptibly();
        }
        listener.close().syncUninterruptibly();
        try {
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            log.debug("cannot remove the management socket {}", socket, e);
        }
    }
}
