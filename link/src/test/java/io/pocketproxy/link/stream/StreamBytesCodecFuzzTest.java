package io.pocketproxy.link.stream;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2UnknownFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Flags;
import io.pocketproxy.testkit.NettyLeakDetection;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Fuzzes the link's stream codec with any sequence of frames a relay or agent may send on an open tunnel
 * (DATA of any size with or without END_STREAM, trailers, frames of unknown types) and bytes going out. Every
 * readable DATA frame's buffer reaches the tunnel as it is, in order; everything else is released; the
 * tunnel hears of the peer's end once per END_STREAM; every buffer going out leaves in a DATA frame, uncopied.
 */
class StreamBytesCodecFuzzTest {

    @RegisterExtension
    @Order(1)
    static final NettyLeakDetection leaks = new NettyLeakDetection();

    @FuzzTest
    void passesEveryBufferOnOnceAndReleasesTheRest(FuzzedDataProvider data) {
        List<Object> events = new ArrayList<>();
        EmbeddedChannel stream = new EmbeddedChannel(
                new StreamBytesCodec.Decoder(), new StreamBytesCodec.Encoder(), new ChannelInboundHandlerAdapter() {
                    @Override
                    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
                        events.add(event);
                    }
                });
        List<ByteBuf> allocated = new ArrayList<>();
        List<ByteBuf> expectedIn = new ArrayList<>();
        List<ByteBuf> expectedOut = new ArrayList<>();
        int endStreams = 0;
        while (data.remainingBytes() > 0) {
            switch (data.consumeInt(0, 3)) {
                case 0 -> {
                    ByteBuf content = allocate(allocated, data.consumeBytes(data.consumeInt(0, 64)));
                    boolean end = data.consumeBoolean();
                    endStreams += end ? 1 : 0;
                    if (content.isReadable()) {
                        expectedIn.add(content);
                    }
                    stream.writeInbound(new DefaultHttp2DataFrame(content, end, data.consumeInt(0, 255)));
                }
                case 1 -> {
                    boolean end = data.consumeBoolean();
                    endStreams += end ? 1 : 0;
                    stream.writeInbound(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers(), end));
                }
                case 2 -> {
                    ByteBuf payload = allocate(allocated, data.consumeBytes(data.consumeInt(0, 16)));
                    stream.writeInbound(new DefaultHttp2UnknownFrame(
                            data.consumeByte(), new Http2Flags(data.consumeByte()), payload));
                }
                default -> {
                    ByteBuf out = allocate(allocated, data.consumeBytes(data.consumeInt(0, 64)));
                    expectedOut.add(out);
                    stream.writeOutbound(out);
                }
            }
        }

        for (ByteBuf expected : expectedIn) {
            ByteBuf read = stream.readInbound();
            assertThat(read).isSameAs(expected);
            read.release();
        }
        assertThat((Object) stream.readInbound()).isNull();
        for (ByteBuf expected : expectedOut) {
            Http2DataFrame frame = stream.readOutbound();
            assertThat(frame.content()).isSameAs(expected);
            assertThat(frame.isEndStream()).isFalse();
            frame.release();
        }
        assertThat((Object) stream.readOutbound()).isNull();
        assertThat(events).hasSize(endStreams).allMatch(ChannelInputShutdownEvent.INSTANCE::equals);
        assertThat(stream.finish()).isFalse();
        assertThat(allocated).allSatisfy(buffer -> assertThat(buffer.refCnt()).isZero());
    }

    private static ByteBuf allocate(List<ByteBuf> allocated, byte[] bytes) {
        ByteBuf buffer = Unpooled.directBuffer(bytes.length).writeBytes(bytes);
        allocated.add(buffer);
        return buffer;
    }
}
