package io.pocketproxy.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;

/** Every connection the bench makes: to 127.0.0.1 only, with TCP_NODELAY and timeouts, so nothing can hang. */
final class Loopback {

    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** No read in the bench waits longer than this: a silent tunnel fails the figure instead of hanging it. */
    static final Duration READ_TIMEOUT = Duration.ofSeconds(60);

    private Loopback() {}

    static Socket connect(int port) throws IOException {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), port), (int) CONNECT_TIMEOUT.toMillis());
            socket.setSoTimeout((int) READ_TIMEOUT.toMillis());
            return socket;
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }
}
