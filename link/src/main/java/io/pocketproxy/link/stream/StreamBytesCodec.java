package io.pocketproxy.link.stream;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.util.ReferenceCountUtil;

/**
 * Turns an HTTP/2 stream into a byte stream: DATA frames in become {@link ByteBuf}s, {@link ByteBuf}s out
 * become DATA frames. The buffers themselves are passed on, never copied. The peer's END_STREAM arrives
 * as a {@link ChannelInputShutdownEvent}, as a half-closed TCP socket would report it.
 */
public final class StreamBytesCodec {

    private StreamBytesCodec() {}

    /** Inbound half: install after the stream's opening HEADERS have been handled. */
    public static final class Decoder extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof Http2DataFrame frame) {
                ByteBuf content = frame.content();
                boolean endStream = frame.isEndStream();
                if (content.isReadable()) {
                    ctx.fireChannelRead(content); // the frame's only reference now belongs downstream
                } else {
                    frame.release();
                }
                if (endStream) {
                    ctx.fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
                }
            } else if (msg instanceof Http2HeadersFrame headers) {
                // Trailers after the tunnel opened carry nothing for a byte stream; their end still counts.
                if (headers.isEndStream()) {
                    ctx.fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
                }
            } else {
                ReferenceCountUtil.release(msg);
            }
        }
    }

    /** Outbound half: wraps each buffer in a DATA frame without copying it. */
    public static final class Encoder extends ChannelOutboundHandlerAdapter {
        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            if (msg instanceof ByteBuf buffer) {
                ctx.write(new DefaultHttp2DataFrame(buffer, false), promise);
            } else {
                ctx.write(msg, promise);
            }
        }
    }

    /** Tells the peer this side has finished sending: an empty DATA frame with END_STREAM. */
    public static DefaultHttp2DataFrame endOfStream() {
        return new DefaultHttp2DataFrame(true);
    }
}
