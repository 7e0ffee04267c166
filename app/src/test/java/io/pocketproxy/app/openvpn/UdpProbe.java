package io.pocketproxy.app.openvpn;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * Sends one UDP datagram (as a QUIC client's first would go) and prints what came back: {@code refused} for an
 * ICMP port unreachable, {@code answered}, {@code unreachable} for another ICMP refusal (no route), or
 * {@code silent}. Run in the customer's namespace by the tests.
 */
public final class UdpProbe {

    private UdpProbe() {}

    public static void main(String[] args) throws Exception {
        try (DatagramSocket socket = new DatagramSocket()) {
            socket.connect(new InetSocketAddress(args[0], Integer.parseInt(args[1])));
            socket.setSoTimeout(3000);
            byte[] hello = "quic initial?".getBytes(StandardCharsets.US_ASCII);
            socket.send(new DatagramPacket(hello, hello.length));
            try {
                socket.receive(new DatagramPacket(new byte[1500], 1500));
                System.out.println("answered");
            } catch (PortUnreachableException e) {
                System.out.println("refused");
            } catch (SocketTimeoutException e) {
                System.out.println("silent");
            } catch (IOException e) {
                System.out.println("unreachable: " + e.getMessage()); // ICMP(v6) destination unreachable, not a port
            }
        }
    }
}
