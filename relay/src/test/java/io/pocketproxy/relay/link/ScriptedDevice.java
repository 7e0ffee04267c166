package io.pocketproxy.relay.link;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.ReferenceCountUtil;
import io.pocketproxy.link.LinkFeature;
import io.pocketproxy.link.LinkProtocol;
import io.pocketproxy.link.LinkSettings;
import io.pocketproxy.link.ProxyStatusError;
import io.pocketproxy.link.Transport;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A device on a real loopback HTTP/2 link (no TLS, no agent) whose answers a test scripts: it echoes every
 * tunnel's bytes back, holds CONNECTs unanswered until told, or refuses them with an RFC 9209 error. Requests
 * without a body (status, resolve) it answers 404, as an agent that does not know them would. The relay's end
 * is a real {@link DeviceLink} in a {@link DeviceLinks}, as the link server would make it.
 */
public final class ScriptedDevice implements AutoCloseable {

    public enum Answer {
        ECHO,
        HOLD,
        REFUSE_DNS
    }

    private final EventLoopGroup loops = Transport.eventLoops(2, "scripted-device");
    private final UUID deviceId = UUID.randomUUID();
    private final DeviceLinks links = DeviceLinks.standalone();
    private final Queue<Http2StreamChannel> held = new ConcurrentLinkedQueue<>();
    private final List<String> authorities = new CopyOnWriteArrayList<>();
    private volatile Answer answer = Answer.ECHO;
    private Channel listener;
    private Channel relaySide;

    private ScriptedDevice() {}

    public static ScriptedDevice start() {
        ScriptedDevice device = new ScriptedDevice();
        device.open();
        return device;
    }

    private void open() {
        LinkSettings settings = LinkSettings.defaults();
        listener = new ServerBootstrap()
                .group(loops)
                .channel(Transport.serverChannel())
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        channel.pipeline().addLast(settings.agentCodec());
                        channel.pipeline().addLast(new Http2MultiplexHandler(new StreamScript()));
                    }
                })
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .syncUninterruptibly()
                .channel();
        relaySide = new Bootstrap()
                .group(loops)
                .channel(Transport.socketChannel())
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        channel.pipeline().addLast(settings.relayCodec());
                        channel.pipeline()
                                .addLast(new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
                                    @Override
                                    protected void initChannel(Http2StreamChannel stream) {
                                        stream.close();
                                    }
                                }));
                    }
                })
                .connect(listener.localAddress())
                .syncUninterruptibly()
                .channel();
        links.register(new DeviceLink(deviceId, relaySide, LinkFeature.all(), Duration.ofSeconds(5)));
    }

    public UUID deviceId() {
        return deviceId;
    }

    public DeviceLinks links() {
        return links;
    }

    /** The event loop of the relay's end of the link: where tunnels through this device live. */
    public EventLoop linkLoop() {
        return relaySide.eventLoop();
    }

    /** Another event loop of the same group, for customers that must start elsewhere. */
    public EventLoopGroup loops() {
        return loops;
    }

    public void answer(Answer next) {
        answer = next;
    }

    /** The CONNECT targets (and the paths of other requests) the device was asked for, in order. */
    public List<String> authorities() {
        return List.copyOf(authorities);
    }

    /** CONNECTs (and, in {@link Answer#HOLD}, other requests) waiting for an answer. */
    public int held() {
        return held.size();
    }

    /** Answers every held CONNECT with 200, and echoes from then on. */
    public void releaseHeld() {
        for (Http2StreamChannel stream = held.poll(); stream != null; stream = held.poll()) {
            Http2StreamChannel opened = stream;
            opened.eventLoop().execute(() -> accept(opened));
        }
    }

    /** Resets every held stream (CONNECTs and other requests alike), as a device that gave up on them would. */
    public void resetHeld() {
        for (Http2StreamChannel stream = held.poll(); stream != null; stream = held.poll()) {
            stream.close();
        }
    }

    /** Ends the link as a phone losing its network would. */
    public void dropLink() {
        relaySide.close().syncUninterruptibly();
    }

    private static void accept(Http2StreamChannel stream) {
        stream.writeAndFlush(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("200"), false));
        stream.config().setAutoRead(true);
    }

    /** The device's side of each stream. */
    private final class StreamScript extends ChannelInitializer<Http2StreamChannel> {
        @Override
        protected void initChannel(Http2StreamChannel stream) {
            stream.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                @Override
                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    if (msg instanceof Http2HeadersFrame headers && !headers.isEndStream()) {
                        authorities.add(String.valueOf(headers.headers().authority()));
                        switch (answer) {
                            case ECHO -> accept(stream);
                            case HOLD -> {
                                stream.config().setAutoRead(false);
                                held.add(stream);
                            }
                            case REFUSE_DNS -> {
                                Http2Headers refusal = new DefaultHttp2Headers().status("502");
                                refusal.set(
                                        LinkProtocol.PROXY_STATUS,
                                        ProxyStatusError.DNS_ERROR.headerValue(LinkProtocol.AGENT_PROXY_NAME));
                                ctx.writeAndFlush(new DefaultHttp2HeadersFrame(refusal, true));
                            }
                        }
                    } else if (msg instanceof Http2HeadersFrame headers) {
                        authorities.add(String.valueOf(headers.headers().path()));
                        if (answer == Answer.HOLD) {
                            held.add(stream);
                            return;
                        }
                        ctx.writeAndFlush(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("404"), true));
                    } else if (msg instanceof Http2DataFrame data) {
                        ctx.writeAndFlush(
                                new DefaultHttp2DataFrame(data.content().retain(), data.isEndStream()));
                        data.release();
                    } else {
                        ReferenceCountUtil.release(msg);
                    }
                }
            });
        }
    }

    @Override
    public void close() {
        links.closeAll();
        if (listener != null) {
            listener.close().syncUninterruptibly();
        }
        loops.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }
}
