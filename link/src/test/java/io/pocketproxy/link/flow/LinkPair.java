package io.pocketproxy.link.flow;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.util.ReferenceCountUtil;
import io.pocketproxy.link.LinkSettings;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Two ends of a device link over loopback TCP, with the link's own codecs and nothing else: the agent end
 * answers every stream with as many bytes as it asks for, as fast as the relay end's windows allow.
 */
final class LinkPair implements AutoCloseable {

    private static final int CHUNK = 64 * 1024;

    private final EventLoopGroup group = new NioEventLoopGroup(2);
    private final Channel listener;
    private final Channel relay;
    private final Http2FrameCodec relayCodec;
    private final List<Download> downloads = new CopyOnWriteArrayList<>();

    LinkPair(LinkSettings settings) throws InterruptedException {
        listener = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        Http2FrameCodec codec = settings.agentCodec();
                        channel.pipeline().addLast(codec, new Http2MultiplexHandler(new ChannelInitializer<>() {
                            @Override
                            protected void initChannel(Channel stream) {
                                stream.pipeline().addLast(new Sender());
                            }
                        }));
                        settings.widenLinkWindow(codec, channel);
                    }
                })
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .sync()
                .channel();
        relayCodec = settings.relayCodec();
        relay = new Bootstrap()
                .group(group)
                .channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        channel.pipeline()
                                .addLast(relayCodec, new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
                    }
                })
                .connect(listener.localAddress())
                .sync()
                .channel();
        relay.eventLoop()
                .submit(() -> settings.widenLinkWindow(relayCodec, relay))
                .sync();
    }

    /** A stream asking the agent end for {@code bytes}; its reader reads only while {@code reading}. */
    Download download(long bytes, boolean reading) throws InterruptedException {
        return download(bytes, reading ? bytes : 0);
    }

    /** A stream asking the agent end for {@code bytes}, whose reader stops once it has {@code readUntil}. */
    Download download(long bytes, long readUntil) throws InterruptedException {
        Download download = new Download(readUntil);
        boolean reading = readUntil > 0;
        Http2StreamChannel stream = new Http2StreamChannelBootstrap(relay)
                .handler(download)
                .open()
                .sync()
                .getNow();
        stream.config().setAutoRead(reading);
        DefaultHttp2Headers headers = new DefaultHttp2Headers();
        headers.method("GET").path("/" + bytes).scheme("https").authority("agent");
        stream.writeAndFlush(new DefaultHttp2HeadersFrame(headers, true)).sync();
        download.stream = stream;
        downloads.add(download);
        return download;
    }

    /** The relay end's windows, read on its event loop. */
    GrowingStreamWindows relayWindows() {
        return (GrowingStreamWindows) relayCodec.connection().local().flowController();
    }

    int budgetLeft() throws ExecutionException, InterruptedException {
        return relay.eventLoop().submit(() -> relayWindows().budgetLeft()).get();
    }

    @Override
    public void close() {
        // A stream whose reader stopped (auto-read off) keeps the DATA that reached it queued, and Netty holds it for
        // a read that would deliver it even after the link closed: nobody reads it here, so only closing the stream
        // releases it. Closing the link alone left every stalled stream's buffers to the leak detector.
        for (Download download : downloads) {
            download.close();
        }
        relay.close().syncUninterruptibly();
        listener.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** The relay end of one stream: counts what arrives and the largest window the stream had meanwhile. */
    final class Download extends ChannelInboundHandlerAdapter {
        final AtomicLong received = new AtomicLong();
        final AtomicInteger largestWindow = new AtomicInteger();
        final long readUntil;
        volatile Http2StreamChannel stream;

        Download(long readUntil) {
            this.readUntil = readUntil;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object message) {
            try {
                if (message instanceof Http2DataFrame data) {
                    if (received.addAndGet(data.content().readableBytes()) >= readUntil && readUntil > 0) {
                        ctx.channel().config().setAutoRead(false);
                    }
                    var http2Stream = relayCodec.connection().stream(
                            ((Http2StreamChannel) ctx.channel()).stream().id());
                    if (http2Stream != null) {
                        largestWindow.accumulateAndGet(relayWindows().initialWindowSize(http2Stream), Math::max);
                    }
                }
            } finally {
                ReferenceCountUtil.release(message);
            }
        }

        void close() {
            stream.close().syncUninterruptibly();
        }

        /** Bytes the stream received that its reader has not taken yet, on the relay's event loop. */
        int unconsumed() throws ExecutionException, InterruptedException {
            return relay.eventLoop()
                    .submit(() -> relayWindows()
                            .unconsumedBytes(relayCodec.connection().stream(
                                    stream.stream().id())))
                    .get();
        }

        /** The stream's current window, on the relay's event loop. */
        int window() throws ExecutionException, InterruptedException {
            return relay.eventLoop()
                    .submit(() -> relayWindows()
                            .initialWindowSize(relayCodec.connection().stream(
                                    stream.stream().id())))
                    .get();
        }
    }

    /** The agent end of a stream: sends what was asked for while the stream is writable. */
    private static final class Sender extends ChannelInboundHandlerAdapter {
        private long left;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object message) {
            if (message instanceof Http2HeadersFrame headers) {
                left = Long.parseLong(headers.headers().path().toString().substring(1));
                ctx.write(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("200")));
                send(ctx);
            }
            ReferenceCountUtil.release(message);
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            send(ctx);
        }

        private void send(ChannelHandlerContext ctx) {
            while (left > 0 && ctx.channel().isWritable()) {
                int size = (int) Math.min(CHUNK, left);
                left -= size;
                ctx.write(new DefaultHttp2DataFrame(ctx.alloc().buffer(size).writeZero(size), left == 0));
            }
            ctx.flush();
        }
    }
}
