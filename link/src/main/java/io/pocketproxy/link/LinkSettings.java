package io.pocketproxy.link;

import io.netty.channel.Channel;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http2.DefaultHttp2Connection;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Settings;
import io.pocketproxy.link.flow.GrowingStreamWindows;
import java.time.Duration;

/**
 * The HTTP/2 tuning of a device link, the same on both ends.
 *
 * <p>Flow-control windows are sized for cellular round trips: HTTP/2's default 64 KiB window lets one
 * stream move at most 64 KiB per round trip, about 10 Mbit/s at 50 ms. Each stream starts at
 * {@value #INITIAL_STREAM_WINDOW} bytes and earns up to {@code streamWindowBytes} while its reader keeps
 * up; what streams earn comes out of a budget of {@code linkWindowBytes} per link, which is also the
 * most the link carries in flight ({@link GrowingStreamWindows} says why, and why a stalled stream
 * cannot hold up the others).
 *
 * @param streamWindowBytes the most a stream's window grows to
 * @param linkWindowBytes what a link's streams may earn together above their initial windows, and the
 *     link's own window
 * @param maxConcurrentStreams streams the agent accepts at once
 * @param pingInterval how often the relay checks the link is alive
 * @param missedPingsAllowed pings without an answer before the relay drops the link
 */
public record LinkSettings(
        int streamWindowBytes,
        int linkWindowBytes,
        int maxConcurrentStreams,
        Duration pingInterval,
        int missedPingsAllowed) {

    /** Where every stream's window starts: four times HTTP/2's, 5 MB/s per stream at 50 ms before it grows. */
    public static final int INITIAL_STREAM_WINDOW = 256 * 1024;

    /**
     * A stream whose reader moves its whole window within this time earns a doubled window: windows end
     * near half a second of the stream's own rate, which covers round trips up to half a second.
     */
    static final Duration GROW_WITHIN = Duration.ofMillis(500);

    public LinkSettings {
        if (streamWindowBytes < INITIAL_STREAM_WINDOW) {
            throw new IllegalArgumentException(
                    "streamWindowBytes: " + streamWindowBytes + " (expected: >= " + INITIAL_STREAM_WINDOW + ")");
        }
        if (linkWindowBytes < streamWindowBytes) {
            throw new IllegalArgumentException("linkWindowBytes: " + linkWindowBytes
                    + " (expected: >= streamWindowBytes " + streamWindowBytes + ")");
        }
        if (maxConcurrentStreams < 1) {
            throw new IllegalArgumentException("maxConcurrentStreams: " + maxConcurrentStreams + " (expected: > 0)");
        }
        if (pingInterval == null || pingInterval.isNegative() || pingInterval.isZero()) {
            throw new IllegalArgumentException("pingInterval: " + pingInterval + " (expected: > 0)");
        }
        if (missedPingsAllowed < 1) {
            throw new IllegalArgumentException("missedPingsAllowed: " + missedPingsAllowed + " (expected: > 0)");
        }
    }

    public static LinkSettings defaults() {
        return new LinkSettings(16 * 1024 * 1024, 64 * 1024 * 1024, 50_000, Duration.ofSeconds(15), 2);
    }

    /**
     * The agent's end, on a small device. Its receive windows say how far ahead the relay may send (customers'
     * uploads), which is what the agent holds in direct memory while a target reads slowly; they stay well under
     * the 64 MiB cap the launcher gives the agent: 4 MiB per stream (80 MB/s per stream at 50 ms, more than a
     * cellular uplink carries) and 16 MiB per link. Downloads move under the relay's windows, not these.
     */
    public static LinkSettings agentDefaults() {
        LinkSettings relay = defaults();
        return new LinkSettings(
                4 * 1024 * 1024,
                16 * 1024 * 1024,
                relay.maxConcurrentStreams(),
                relay.pingInterval(),
                relay.missedPingsAllowed());
    }

    /** The agent's end: the HTTP/2 server, which bounds how many streams the relay may open. */
    public Http2FrameCodec agentCodec() {
        return withCompositeCumulation(new Builder(new DefaultHttp2Connection(true))
                // A server must not send ENABLE_PUSH at all (RFC 9113 6.5.2), so not the shared settings' push flag.
                .initialSettings(http2Settings().maxConcurrentStreams(maxConcurrentStreams))
                // The relay is pinned and trusted; cutting off many customers at once (a quota reached)
                // resets many streams, which must not look like a rapid-reset attack.
                .decoderEnforceMaxRstFramesPerWindow(0, 0)
                .encoderEnforceMaxRstFramesPerWindow(0, 0)
                .build());
    }

    /** The relay's end: the HTTP/2 client, which opens a stream per customer connection. */
    public Http2FrameCodec relayCodec() {
        return withCompositeCumulation(new Builder(new DefaultHttp2Connection(false))
                .initialSettings(http2Settings().pushEnabled(false))
                .autoAckPingFrame(true)
                .build());
    }

    /**
     * A DATA frame is up to 64 KiB and a TLS record carries at most 16 KiB, so most frames arrive in pieces.
     * Netty's default cumulation copies the pieces into one growing buffer; past 32 KiB those buffers are not
     * cached per thread, and the pool's chunks are made and freed (and zeroed) all the time: a third of the
     * relay's CPU in a bulk download. Composite cumulation keeps the pieces where they are: no copy, no big
     * buffers, and each frame's payload is passed on as slices of them.
     */
    private static Http2FrameCodec withCompositeCumulation(Http2FrameCodec codec) {
        codec.setCumulator(ByteToMessageDecoder.COMPOSITE_CUMULATOR);
        return codec;
    }

    /**
     * Widens the link's receive window to {@code linkWindowBytes} once {@code codec} is in the pipeline:
     * HTTP/2 sets a connection's window only by WINDOW_UPDATE, never by SETTINGS.
     */
    public void widenLinkWindow(Http2FrameCodec codec, Channel channel) {
        Http2Connection connection = codec.connection();
        int current = connection.local().flowController().windowSize(connection.connectionStream());
        if (linkWindowBytes > current) {
            channel.writeAndFlush(new DefaultHttp2WindowUpdateFrame(linkWindowBytes - current));
        }
    }

    /** DATA frames of up to 64 KiB: a quarter of the frames, and of their per-frame work, at 16 KiB's default. */
    private static final int MAX_FRAME_SIZE = 64 * 1024;

    private Http2Settings http2Settings() {
        return Http2Settings.defaultSettings()
                .initialWindowSize(INITIAL_STREAM_WINDOW)
                .maxFrameSize(MAX_FRAME_SIZE);
    }

    /** Netty's codec builder, on a connection whose receive windows are {@link GrowingStreamWindows}. */
    private final class Builder extends Http2FrameCodecBuilder {
        private final boolean server;

        Builder(Http2Connection connection) {
            this.server = connection.isServer();
            connection
                    .local()
                    .flowController(new GrowingStreamWindows(
                            connection, streamWindowBytes, linkWindowBytes, GROW_WITHIN.toNanos(), System::nanoTime));
            connection(connection);
            // As Http2FrameCodecBuilder.forClient()/forServer() do.
            gracefulShutdownTimeoutMillis(0);
        }

        /** The connection's role; Netty's builder would otherwise take every connection it did not make for a server's. */
        @Override
        public boolean isServer() {
            return server;
        }
    }
}
