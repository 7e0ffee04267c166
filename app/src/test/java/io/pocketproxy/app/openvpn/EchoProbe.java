package io.pocketproxy.app.openvpn;

import java.net.InetAddress;

/**
 * Sends ICMP echo requests (as root, {@link InetAddress#isReachable} pings) and prints {@code reachable} or
 * {@code unreachable}: for packets that are neither TCP nor UDP, which the relay never carries. Run in the
 * customer's namespace by the tests.
 */
public final class EchoProbe {

    private EchoProbe() {}

    public static void main(String[] args) throws Exception {
        InetAddress host = InetAddress.getByName(args[0]);
        boolean reachable = false;
        for (int attempt = 0; attempt < 3 && !reachable; attempt++) {
            reachable = host.isReachable(1000);
        }
        System.out.println(reachable ? "reachable" : "unreachable");
    }
}
