package io.pocketproxy.relay.metering;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class StreamMeterTest {

    @Test
    void cutsABufferThatCrossesTheLimitAndDropsTheRest() {
        Meter meter = TestMeters.meter(10, 0, 0);
        EmbeddedChannel stream = new EmbeddedChannel(new StreamMeter(meter));

        stream.writeInbound(Unpooled.copiedBuffer("abcdef", StandardCharsets.US_ASCII));
        stream.writeInbound(Unpooled.copiedBuffer("ghijkl", StandardCharsets.US_ASCII));
        stream.writeInbound(Unpooled.copiedBuffer("mnop", StandardCharsets.US_ASCII));

        ByteBuf first = stream.readInbound();
        ByteBuf second = stream.readInbound();
        assertThat(first.toString(StandardCharsets.US_ASCII)).isEqualTo("abcdef");
        assertThat(second.toString(StandardCharsets.US_ASCII)).isEqualTo("ghij");
        assertThat((Object) stream.readInbound()).isNull();
        first.release();
        second.release();
        assertThat(meter.used()).isEqualTo(10);
        stream.finishAndReleaseAll();
    }

    @Test
    void countsWritesTowardTheDeviceToo() {
        Meter meter = TestMeters.meter(5, 0, 0);
        EmbeddedChannel stream = new EmbeddedChannel(new StreamMeter(meter));

        stream.writeOutbound(Unpooled.copiedBuffer("123", StandardCharsets.US_ASCII));
        stream.writeOutbound(Unpooled.copiedBuffer("4567", StandardCharsets.US_ASCII));

        ByteBuf first = stream.readOutbound();
        ByteBuf second = stream.readOutbound();
        assertThat(first.toString(StandardCharsets.US_ASCII)).isEqualTo("123");
        assertThat(second.toString(StandardCharsets.US_ASCII)).isEqualTo("45");
        first.release();
        second.release();
        assertThat(meter.exhausted()).isTrue();
        stream.finishAndReleaseAll();
    }
}
