package io.pocketproxy.relay.tunnel;

import io.netty.channel.Channel;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.pocketproxy.link.stream.InboundHold;
import io.pocketproxy.link.stream.Pipe;

/**
 * A customer's open tunnel: the customer's channel and its metered device stream, both on the device link's
 * event loop, neither reading yet, each holding what arrived early in an {@link InboundHold}.
 */
public final class Tunnel {

    private final Channel customer;
    private final Http2StreamChannel stream;

    Tunnel(Channel customer, Http2StreamChannel stream) {
        this.customer = customer;
        this.stream = stream;
    }

    public Channel customer() {
        return customer;
    }

    /** The device end: decodes DATA into bytes and encodes bytes into DATA, counting both ways. */
    public Http2StreamChannel stream() {
        return stream;
    }

    /**
     * Joins customer and device byte for byte (CONNECT, SOCKS5) once the protocol handler has answered and
     * removed its own handlers; call on the tunnel's loop.
     */
    public void pipe() {
        Pipe.join(customer, stream);
    }
}
