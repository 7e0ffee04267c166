package io.pocketproxy.link.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StreamBytesCodecTest {

    @Test
    void passesDataFrameContentOnWithoutCopying() {
        EmbeddedChannel stream = new EmbeddedChannel(new StreamBytesCodec.Decoder());
        ByteBuf content = Unpooled.copiedBuffer("payload", StandardCharsets.US_ASCII);

        stream.writeInbound(new DefaultHttp2DataFrame(content));

        ByteBuf read = stream.readInbound();
        assertThat(read).isSameAs(content);
        assertThat(read.toString(StandardCharsets.US_ASCII)).isEqualTo("payload");
        read.release();
        assertThat(stream.finish()).isFalse();
    }

    @Test
    void reportsEndStreamAsInputShutdown() {
        List<Object> events = new ArrayList<>();
        EmbeddedChannel stream =
                new EmbeddedChannel(new StreamBytesCodec.Decoder(), new ChannelInboundHandlerAdapter() {
                    @Override
                    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
                        events.add(event);
                    }
                });

        stream.writeInbound(new DefaultHttp2DataFrame(Unpooled.EMPTY_BUFFER, true));

        assertThat(events).containsExactly(ChannelInputShutdownEvent.INSTANCE);
        assertThat((Object) stream.readInbound()).isNull();
        stream.finishAndReleaseAll();
    }

    @Test
    void wrapsOutgoingBytesInDataFrames() {
        EmbeddedChannel stream = new EmbeddedChannel(new StreamBytesCodec.Encoder());
        ByteBuf bytes = Unpooled.copiedBuffer("up", StandardCharsets.US_ASCII);

        stream.writeOutbound(bytes);

        Http2DataFrame frame = stream.readOutbound();
        assertThat(frame.content()).isSameAs(bytes);
        assertThat(frame.isEndStream()).isFalse();
        frame.release();
        stream.finishAndReleaseAll();
    }
}
