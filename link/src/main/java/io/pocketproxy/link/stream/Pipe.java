package io.pocketproxy.link.stream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.ReferenceCountUtil;
import io.pocketproxy.link.NetworkErrors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves bytes from its channel to a peer channel, never faster than the peer can write: when the peer's
 * outbound buffer passes its high watermark this side stops reading, and it reads again when the peer
 * drains below the low watermark. One instance sits on each of the two channels it joins.
 *
 * <p>Both channels live on one event loop (a tunnel's customer socket is moved onto its device link's
 * loop, and an agent dials its targets on the link's loop): every write is a plain call, every
 * read-gate switch happens where the peer's writability is decided, and no event can fall between
 * two threads.
 *
 * <p>When this side ends, the peer is closed once what was already written has been flushed, so the last
 * bytes still arrive.
 */
public final class Pipe extends ChannelInboundHandlerAdapter {

    public static final String NAME = "pipe";

    private static final Logger log = LoggerFactory.getLogger(Pipe.class);

    private final Channel peer;

    private Pipe(Channel peer) {
        this.peer = peer;
    }

    /**
     * Joins two channels of the same event loop both ways and starts reading from both; call on that loop.
     * Both pipes are in place before either side reads, and what an {@link InboundHold} kept on either side
     * passes through its pipe first, in order.
     */
    public static void join(Channel a, Channel b) {
        if (a.eventLoop() != b.eventLoop() || !a.eventLoop().inEventLoop()) {
            throw new IllegalStateException("join: " + a + " and " + b + " (expected: both on the calling event loop)");
        }
        install(a, b);
        install(b, a);
        release(a);
        release(b);
        if (!a.isActive() || !b.isActive()) {
            closeOnFlush(a);
            closeOnFlush(b);
            return;
        }
        startReading(a, b);
        startReading(b, a);
    }

    private static void install(Channel channel, Channel peer) {
        ChannelPipeline pipeline = channel.pipeline();
        if (pipeline.get(InboundHold.class) != null) {
            pipeline.addAfter(pipeline.context(InboundHold.class).name(), NAME, new Pipe(peer));
        } else {
            pipeline.addLast(NAME, new Pipe(peer));
        }
    }

    /** What the hold kept goes into the pipe now: written to the peer, flushed at the hold's read-complete. */
    private static void release(Channel channel) {
        if (channel.pipeline().get(InboundHold.class) != null) {
            channel.pipeline().remove(InboundHold.class);
        }
    }

    private static void startReading(Channel channel, Channel peer) {
        boolean peerWritable = peer.isWritable();
        channel.config().setAutoRead(peerWritable);
        if (peerWritable) {
            channel.read(); // setAutoRead reads only on a change; a channel already reading must ask once more
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf)) {
            // A pipe carries bytes. What else a protocol step left behind (the empty last-content marker an HTTP
            // decoder emits after a CONNECT head) means nothing to the peer.
            ReferenceCountUtil.release(msg);
            return;
        }
        peer.write(msg, peer.voidPromise());
        if (!peer.isWritable()) {
            ctx.channel().config().setAutoRead(false);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        peer.flush();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        // Our channel drained (or filled): the peer may read (or must stop) accordingly.
        peer.config().setAutoRead(ctx.channel().isWritable());
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closeOnFlush(peer);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof ChannelInputShutdownEvent) {
            // The sender finished; finish the other side once it has everything.
            closeOnFlush(peer);
            closeOnFlush(ctx.channel());
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        NetworkErrors.closeOnError(log, ctx, ctx.channel(), cause);
    }

    /** Closes {@code channel} after everything written to it so far has gone out. */
    public static void closeOnFlush(Channel channel) {
        if (!channel.isActive()) {
            return;
        }
        if (channel instanceof Http2StreamChannel) {
            // A stream is told the data is complete (END_STREAM) rather than reset.
            channel.writeAndFlush(StreamBytesCodec.endOfStream()).addListener(ChannelFutureListener.CLOSE);
        } else {
            channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
