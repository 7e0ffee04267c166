package io.pocketproxy.relay.tunnel;

import io.netty.channel.Channel;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.pocketproxy.link.stream.InboundHold;
import io.pocketproxy.link.stream.Pipe;
import io.pocketproxy.link.stream.StreamBytesCodec;
import io.pocketproxy.relay.directory.ConnectionRecord;
import io.pocketproxy.relay.link.DeviceLink;
import io.pocketproxy.relay.link.DeviceLinks;
import io.pocketproxy.relay.link.DeviceRefusal;
import io.pocketproxy.relay.metering.Meter;
import io.pocketproxy.relay.metering.Meters;
import io.pocketproxy.relay.metering.StreamMeter;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.function.BiConsumer;

/**
 * Opens a signed-in customer's tunnel through the connection's device, whatever protocol the customer
 * speaks: checks the connection may be used (active, quota left, under its stream cap, device linked),
 * opens the device stream, and puts the connection's meter on it.
 */
public final class Tunnels {

    public static final String HOLD = "hold";

    private final DeviceLinks links;
    private final Meters meters;
    private final int maxStreamsPerConnection;

    public Tunnels(DeviceLinks links, Meters meters, int maxStreamsPerConnection) {
        this.links = links;
        this.meters = meters;
        this.maxStreamsPerConnection = maxStreamsPerConnection;
    }

    /**
     * Opens a tunnel to {@code authority} for {@code customer}'s channel. The outcome is delivered on the
     * customer channel's event loop: the device stream (metered, not reading yet, anything it already read
     * held in {@link #HOLD}) or a refusal.
     */
    public void open(
            ConnectionRecord connection,
            String authority,
            Channel customer,
            BiConsumer<Http2StreamChannel, Refusal> outcome) {
        Optional<Refusal> refusal = check(connection);
        if (refusal.isPresent()) {
            outcome.accept(null, refusal.get());
            return;
        }
        Meter meter = meters.meterFor(connection);
        DeviceLink link = links.find(connection.deviceId()).orElseThrow();
        link.connect(authority).whenComplete((stream, error) -> {
            if (stream != null) {
                stream.pipeline().addLast("bytes-in", new StreamBytesCodec.Decoder());
                stream.pipeline().addLast("bytes-out", new StreamBytesCodec.Encoder());
                stream.pipeline().addLast("meter", new StreamMeter(meter));
                stream.pipeline().addLast(HOLD, new InboundHold());
            }
            customer.eventLoop().execute(() -> {
                if (stream == null) {
                    outcome.accept(null, refusalOf(error));
                } else if (!customer.isActive()) {
                    stream.close(); // the customer left while the device dialled
                } else {
                    meter.track(customer);
                    customer.closeFuture().addListener(closed -> Pipe.closeOnFlush(stream));
                    outcome.accept(stream, null);
                }
            });
        });
    }

    /** Whether {@code connection} may open a tunnel now, and if not, why. */
    public Optional<Refusal> check(ConnectionRecord connection) {
        if (!connection.active()) {
            return Optional.of(Refusal.of(Refusal.Reason.CONNECTION_DISABLED));
        }
        Meter meter = meters.meterFor(connection);
        if (meter.exhausted()) {
            return Optional.of(Refusal.of(Refusal.Reason.BANDWIDTH_LIMIT_REACHED));
        }
        if (meter.openTunnels() >= maxStreamsPerConnection) {
            return Optional.of(Refusal.of(Refusal.Reason.TOO_MANY_STREAMS));
        }
        if (links.find(connection.deviceId()).isEmpty()) {
            return Optional.of(Refusal.of(Refusal.Reason.DEVICE_OFFLINE));
        }
        return Optional.empty();
    }

    private static Refusal refusalOf(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof DeviceRefusal refusal) {
            return switch (refusal.reason()) {
                case OFFLINE -> Refusal.of(Refusal.Reason.DEVICE_OFFLINE);
                case TIMEOUT, REFUSED -> new Refusal(Refusal.Reason.DEVICE_ERROR, refusal.error());
            };
        }
        return Refusal.of(Refusal.Reason.DEVICE_OFFLINE);
    }
}
