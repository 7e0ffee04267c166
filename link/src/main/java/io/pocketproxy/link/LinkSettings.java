package io.pocketproxy.link;

import io.netty.channel.Channel;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Settings;
import java.time.Duration;

/**
 * The HTTP/2 tuning of a device link, the same on both ends.
 *
 * <p>Flow-control windows are sized for cellular round trips: HTTP/2's default 64 KiB window lets one
 * stream move at most 64 KiB per round trip, about 10 Mbit/s at 50 ms. A window of a few MiB per stream
 * and tens of MiB per link keeps a phone's uplink full.
 *
 * @param streamWindowBytes flow-control window of each stream
 * @param linkWindowBytes flow-control window of the whole link
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

    /** HTTP/2's initial window (RFC 9113 6.9.2), which the link window grows from. */
    private static final int DEFAULT_HTTP2_WINDOW = 65_535;

    public LinkSettings {
        if (streamWindowBytes < DEFAULT_HTTP2_WINDOW) {
            throw new IllegalArgumentException("streamWindowBytes: " + streamWindowBytes + " (expected: >= 65535)");
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
        return new LinkSettings(4 * 1024 * 1024, 32 * 1024 * 1024, 50_000, Duration.ofSeconds(15), 2);
    }

    /** The agent's end: the HTTP/2 server, which bounds how many streams the relay may open. */
    public Http2FrameCodec agentCodec() {
        return Http2FrameCodecBuilder.forServer()
                // A server must not send ENABLE_PUSH at all (RFC 9113 6.5.2), so not the shared settings' push flag.
                .initialSettings(http2Settings().maxConcurrentStreams(maxConcurrentStreams))
                // The relay is pinned and trusted; cutting off many customers at once (a quota reached)
                // resets many streams, which must not look like a rapid-reset attack.
                .decoderEnforceMaxRstFramesPerWindow(0, 0)
                .encoderEnforceMaxRstFramesPerWindow(0, 0)
                .build();
    }

    /** The relay's end: the HTTP/2 client, which opens a stream per customer connection. */
    public Http2FrameCodec relayCodec() {
        return Http2FrameCodecBuilder.forClient()
                .initialSettings(http2Settings().pushEnabled(false))
                .autoAckPingFrame(true)
                .build();
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
                .initialWindowSize(streamWindowBytes)
                .maxFrameSize(MAX_FRAME_SIZE);
    }
}
