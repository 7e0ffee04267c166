package io.pocketproxy.relay.link;

import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;
import io.pocketproxy.relay.directory.ConnectionRecord;
import io.pocketproxy.relay.directory.ConnectionType;
import java.util.UUID;

/**
 * The names two relays of one farm agree on when one forwards a customer's tunnel to the relay that holds the
 * customer's device (the device's link is there, and so are the connection's meter and its limit).
 *
 * <p>The forwarding relay dials the other's link port with TLS, showing the farm's certificate as its client
 * certificate (every relay of a farm holds the same key pair; devices show none), and asks {@code GET /v1/peer} with
 * {@code Upgrade: pocketproxy-link/1} and {@value #DEVICE_HEADER}. After {@code 101} the socket speaks HTTP/2 with
 * the forwarding relay as client: one link per device, living on that device's link loop on the other side. Each
 * stream is {@code CONNECT host:port} with the connection's id, username and protocol; the answer is the device's
 * ({@code 200}, then bytes both ways), or a refusal naming the relay's reason in {@value #REFUSAL_HEADER} beside the
 * usual {@code proxy-status}.
 */
public final class PeerProtocol {

    public static final String PEER_PATH = "/v1/peer";
    public static final String DEVICE_HEADER = "pp-device";

    static final AsciiString CONNECTION = AsciiString.cached("pp-connection");
    static final AsciiString USERNAME = AsciiString.cached("pp-username");
    static final AsciiString PROTOCOL = AsciiString.cached("pp-protocol");

    /** Why the holding relay refused a forwarded tunnel: a {@code Refusal.Reason} type, e.g. {@code too_many_streams}. */
    public static final String REFUSAL_HEADER = "pp-refusal";

    static final AsciiString REFUSAL = AsciiString.cached(REFUSAL_HEADER);

    private PeerProtocol() {}

    /** The headers a forwarded tunnel's stream carries beside its {@code CONNECT}. */
    static Http2Headers forwarding(ConnectionRecord connection, ConnectionType protocol) {
        return new DefaultHttp2Headers()
                .set(CONNECTION, connection.id().toString())
                .set(USERNAME, connection.username())
                .set(PROTOCOL, protocol.name());
    }

    /** What a forwarded stream's opening headers ask for; fails with {@link IllegalArgumentException} when malformed. */
    public record Forwarded(UUID connectionId, String username, ConnectionType protocol) {

        public static Forwarded from(Http2Headers headers) {
            CharSequence id = headers.get(CONNECTION);
            CharSequence username = headers.get(USERNAME);
            CharSequence protocol = headers.get(PROTOCOL);
            if (id == null || username == null || protocol == null) {
                throw new IllegalArgumentException("expected " + CONNECTION + ", " + USERNAME + " and " + PROTOCOL);
            }
            return new Forwarded(
                    UUID.fromString(id.toString()), username.toString(), ConnectionType.valueOf(protocol.toString()));
        }
    }
}
