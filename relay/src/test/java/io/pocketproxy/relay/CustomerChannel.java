package io.pocketproxy.relay;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * An {@link EmbeddedChannel} that looks like a customer's TCP connection (it has a client address, which the
 * failure throttle keys on), for protocol steps tested without sockets.
 */
public final class CustomerChannel extends EmbeddedChannel {

    public CustomerChannel(ChannelHandler initializer) {
        super();
        pipeline().addLast(initializer);
    }

    @Override
    protected SocketAddress remoteAddress0() {
        return new InetSocketAddress("192.0.2.7", 40_000);
    }

    /** Writes {@code bytes} in as the customer's next read. */
    public void send(byte[] bytes) {
        writeInbound(Unpooled.wrappedBuffer(bytes));
    }

    public void send(String text) {
        send(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Everything the relay wrote back so far, as text (ISO-8859-1, byte for byte). */
    public String answered() {
        StringBuilder text = new StringBuilder();
        for (ByteBuf out = readOutbound(); out != null; out = readOutbound()) {
            text.append(out.toString(StandardCharsets.ISO_8859_1));
            out.release();
        }
        return text.toString();
    }

    /** Everything the relay wrote back so far, as bytes. */
    public byte[] answeredBytes() {
        return answered().getBytes(StandardCharsets.ISO_8859_1);
    }
}
