package io.pocketproxy.link.stream;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.pocketproxy.link.NetworkErrors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves bytes from its channel to a peer channel, never faster than the peer can write: when the peer's
 * outbound buffer passes its high watermark this side stops reading, and it reads again when the peer
 * drains below the low watermark. One instance sits on each of the two channels it joins.
 *
 * <p>When this side ends, the peer is closed once what was already written has been flushed, so the last
 * bytes still arrive.
 */
public final class Pipe extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(Pipe.class);

    private final Channel peer;

    public Pipe(Channel peer) {
        this.peer = peer;
    }

    /**
     * Joins two channels both ways and starts reading from both. Each side is set up on its own event
     * loop, so nothing it reads can overtake what an {@link InboundHold} kept for it meanwhile.
     */
    public static void join(Channel a, Channel b) {
        attach(a, b);
        attach(b, a);
    }

    private static void attach(Channel channel, Channel peer) {
        channel.eventLoop().execute(() -> {
            channel.pipeline().addLast("pipe", new Pipe(peer));
            if (channel.pipeline().get(InboundHold.class) != null) {
                channel.pipeline().remove(InboundHold.class); // what it held goes to the pipe, in order
            }
            if (!channel.isActive()) {
                closeOnFlush(peer);
                return;
            }
            channel.config().setAutoRead(peer.isWritable());
            channel.read();
        });
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        peer.write(msg, peer.voidPromise());
        if (!peer.isWritable()) {
            stopReadingUntilWritable(ctx.channel(), peer);
        }
    }

    /**
     * Stops {@code reader} until {@code peer} drains, for a peer on another event loop whose writability
     * handler turns reading back on. The peer may drain between our look at it and the switch, and its
     * handler then finds reading still on and does nothing: so we look again after switching, or the
     * reader would wait for an event that already happened.
     */
    public static void stopReadingUntilWritable(Channel reader, Channel peer) {
        reader.config().setAutoRead(false);
        if (peer.isWritable()) {
            reader.config().setAutoRead(true);
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
