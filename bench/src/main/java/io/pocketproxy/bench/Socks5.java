package io.pocketproxy.bench;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * The bench's SOCKS5 client (RFC 1928, with RFC 1929 username/password when given credentials): the same
 * three exchanges a customer's curl makes (greeting, password, CONNECT), each waiting for its answer, so
 * a new tunnel costs here what it costs a customer.
 */
final class Socks5 {

    /** A customer's credentials; never printed. */
    record Credentials(String username, String password) {
        @Override
        public String toString() {
            return "Credentials[" + username + ", password hidden]";
        }
    }

    private static final byte VERSION = 5;
    private static final byte NO_AUTHENTICATION = 0;
    private static final byte USERNAME_PASSWORD = 2;

    private Socks5() {}

    /**
     * A tunnel through the SOCKS5 proxy on {@code proxyPort} to 127.0.0.1:{@code targetPort}; {@code
     * credentials} null offers no authentication.
     */
    static Socket open(int proxyPort, Credentials credentials, int targetPort) throws IOException {
        Socket socket = Loopback.connect(proxyPort);
        try {
            OutputStream out = socket.getOutputStream();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            byte method = credentials == null ? NO_AUTHENTICATION : USERNAME_PASSWORD;
            out.write(new byte[] {VERSION, 1, method});
            expect(in, proxyPort, "method selection", VERSION, method);
            if (credentials != null) {
                out.write(passwordRequest(credentials));
                expect(in, proxyPort, "password status", 1, 0);
            }
            out.write(new byte[] {VERSION, 1, 0, 1, 127, 0, 0, 1, (byte) (targetPort >> 8), (byte) targetPort});
            int version = in.readUnsignedByte();
            int reply = in.readUnsignedByte();
            in.readUnsignedByte();
            int addressType = in.readUnsignedByte();
            int addressLength = addressType == 1 ? 4 : addressType == 4 ? 16 : in.readUnsignedByte();
            in.readFully(new byte[addressLength + 2]);
            if (version != VERSION || reply != 0) {
                throw new IOException("SOCKS5 proxy on port " + proxyPort + " answered CONNECT 127.0.0.1:" + targetPort
                        + " with version " + version + " reply " + reply + " (expected: version 5 reply 0)");
            }
            return socket;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** Whether a SOCKS5 proxy answers a greeting on the port (without opening a tunnel). */
    static boolean greets(int proxyPort) {
        try (Socket socket = Loopback.connect(proxyPort)) {
            socket.setSoTimeout(2_000);
            socket.getOutputStream().write(new byte[] {VERSION, 1, NO_AUTHENTICATION});
            DataInputStream in = new DataInputStream(socket.getInputStream());
            return in.readByte() == VERSION && in.readByte() == NO_AUTHENTICATION;
        } catch (IOException e) {
            return false;
        }
    }

    private static byte[] passwordRequest(Credentials credentials) {
        byte[] user = credentials.username().getBytes(StandardCharsets.UTF_8);
        byte[] pass = credentials.password().getBytes(StandardCharsets.UTF_8);
        byte[] request = new byte[3 + user.length + pass.length];
        request[0] = 1;
        request[1] = (byte) user.length;
        System.arraycopy(user, 0, request, 2, user.length);
        request[2 + user.length] = (byte) pass.length;
        System.arraycopy(pass, 0, request, 3 + user.length, pass.length);
        return request;
    }

    private static void expect(DataInputStream in, int proxyPort, String step, int first, int second)
            throws IOException {
        int gotFirst = in.readUnsignedByte();
        int gotSecond = in.readUnsignedByte();
        if (gotFirst != first || gotSecond != second) {
            throw new IOException("SOCKS5 proxy on port " + proxyPort + " answered " + step + " with " + gotFirst + " "
                    + gotSecond + " (expected: " + first + " " + second + ")");
        }
    }
}
