package io.pocketproxy.relay.metering;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;

/**
 * Counts every byte a tunnel moves through the device, both ways, against its connection's
 * {@link Meter}: it sits on the device stream, where bytes enter and leave the phone. A buffer is
 * passed on whole when the meter grants it, cut to the granted length when the limit falls inside it,
 * and dropped when nothing is left.
 */
public final class StreamMeter extends ChannelDuplexHandler {

    private final Meter meter;

    public StreamMeter(Meter meter) {
        this.meter = meter;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf buffer) {
            ByteBuf granted = grant(buffer);
            if (granted != null) {
                ctx.fireChannelRead(granted);
            }
            stopIfExhausted();
            return;
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof ByteBuf buffer) {
            ByteBuf granted = grant(buffer);
            if (granted != null) {
                ctx.write(granted, promise);
            } else {
                promise.trySuccess(); // nothing left to send: the tunnel is being closed
            }
            stopIfExhausted();
            return;
        }
        ctx.write(msg, promise);
    }

    /** After the granted bytes are on their way: the limit reached closes every tunnel of the connection. */
    private void stopIfExhausted() {
        if (meter.exhausted()) {
            meter.closeTunnels();
        }
    }

    /** The part of {@code buffer} the meter grants, or null (and {@code buffer} released) for none. */
    private ByteBuf grant(ByteBuf buffer) {
        int requested = buffer.readableBytes();
        if (requested == 0) {
            return buffer;
        }
        int granted = meter.grant(requested);
        if (granted == requested) {
            return buffer;
        }
        if (granted == 0) {
            buffer.release();
            return null;
        }
        return buffer.writerIndex(buffer.readerIndex() + granted); // same buffer, cut to the grant
    }
}
