package io.pocketproxy.bench;

import java.io.IOException;
import java.net.Socket;

/**
 * One way from the bench to a target: through PocketProxy (SOCKS5 to the relay, over the link, out of the
 * agent), through the ssh -R peer (SOCKS5 to sshd, over the SSH connection, out of the ssh client), or
 * direct. Every figure measures the same thing over each route.
 */
record Route(String name, Dialer dialer) {

    static final String OURS = "ours";
    static final String FORWARDED = "ours, forwarded";
    static final String PEER = "ssh -R";
    static final String DIRECT = "direct";

    interface Dialer {
        Socket open(int targetPort) throws IOException;
    }

    /** A connection to 127.0.0.1:{@code targetPort} along this route. */
    Socket open(int targetPort) throws IOException {
        return dialer.open(targetPort);
    }

    static Route ours(int socksPort, Socks5.Credentials credentials) {
        return new Route(OURS, target -> Socks5.open(socksPort, credentials, target));
    }

    /** Ours entering at another relay of the farm than the device's, which forwards the tunnel to it. */
    static Route forwarded(int socksPort, Socks5.Credentials credentials) {
        return new Route(FORWARDED, target -> Socks5.open(socksPort, credentials, target));
    }

    static Route peer(int socksPort) {
        return new Route(PEER, target -> Socks5.open(socksPort, null, target));
    }

    /** Straight to the target. */
    static Route direct() {
        return new Route(DIRECT, Loopback::connect);
    }

    /** Straight to what stands in front of the target (a delay line). */
    static Route direct(Dialer viaDelayLine) {
        return new Route(DIRECT, viaDelayLine);
    }
}
