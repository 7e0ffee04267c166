package io.pocketproxy.bench;

import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The customer's side of the OpenVPN figure, in the bench's customer namespace: one download from the source at
 * a time, as told on stdin, through the VPN ({@code vpn HOST PORT BYTES}: a plain connection, which the VPN's
 * routes carry) or through the relay's SOCKS5 proxy ({@code socks PROXY-HOST PROXY-PORT USER PASSWORD HOST PORT
 * BYTES}). Answers each with the MB/s from opening the connection to the last byte, or {@code error ...}.
 */
public final class VpnDownloader {

    private VpnDownloader() {}

    public static void main(String[] args) throws IOException {
        BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line = commands.readLine(); line != null; line = commands.readLine()) {
            String[] words = line.strip().split(" ");
            try {
                double mbps = switch (words[0]) {
                    case "vpn" -> download(connect(words[1], Integer.parseInt(words[2])), Long.parseLong(words[3]));
                    case "socks" ->
                        download(
                                socks(words[1], Integer.parseInt(words[2]), words[3], words[4], words[5], words[6]),
                                Long.parseLong(words[7]));
                    case "quit" -> {
                        System.exit(0);
                        yield 0;
                    }
                    default -> throw new IllegalArgumentException("unknown command " + words[0]);
                };
                System.out.println(String.format(Locale.ROOT, "%.3f", mbps));
            } catch (IOException | RuntimeException e) {
                System.out.println("error " + e);
            }
            System.out.flush();
        }
    }

    private static double download(Socket socket, long bytes) throws IOException {
        long start = System.nanoTime();
        try (socket) {
            new DataOutputStream(socket.getOutputStream()).writeLong(bytes);
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[256 * 1024];
            long received = 0;
            while (received < bytes) {
                int n = in.read(buffer);
                if (n < 0) {
                    throw new IOException("the download ended after " + received + " of " + bytes + " bytes");
                }
                received += n;
            }
        }
        return bytes / 1e6 / ((System.nanoTime() - start) / 1e9);
    }

    private static Socket connect(String host, int port) throws IOException {
        Socket socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.connect(new InetSocketAddress(host, port), (int) Loopback.CONNECT_TIMEOUT.toMillis());
        socket.setSoTimeout((int) Loopback.READ_TIMEOUT.toMillis());
        return socket;
    }

    /** A SOCKS5 tunnel (RFC 1928, with RFC 1929 credentials) to the IPv4 {@code host}. */
    private static Socket socks(String proxyHost, int proxyPort, String user, String password, String host, String port)
            throws IOException {
        Socket socket = connect(proxyHost, proxyPort);
        OutputStream out = socket.getOutputStream();
        DataInputStream in = new DataInputStream(socket.getInputStream());
        out.write(new byte[] {5, 1, 2});
        expect(in, 5, 2);
        byte[] name = user.getBytes(StandardCharsets.US_ASCII);
        byte[] secret = password.getBytes(StandardCharsets.US_ASCII);
        out.write(1);
        out.write(name.length);
        out.write(name);
        out.write(secret.length);
        out.write(secret);
        expect(in, 1, 0);
        byte[] address = InetAddress.getByName(host).getAddress();
        int targetPort = Integer.parseInt(port);
        out.write(new byte[] {
            5, 1, 0, 1, address[0], address[1], address[2], address[3], (byte) (targetPort >> 8), (byte) targetPort
        });
        byte[] reply = new byte[10];
        in.readFully(reply);
        if (reply[1] != 0) {
            socket.close();
            throw new IOException("SOCKS5 CONNECT answered " + reply[1] + " (expected: 0)");
        }
        return socket;
    }

    private static void expect(DataInputStream in, int first, int second) throws IOException {
        int a = in.readUnsignedByte();
        int b = in.readUnsignedByte();
        if (a != first || b != second) {
            throw new IOException("SOCKS5 answered " + a + " " + b + " (expected: " + first + " " + second + ")");
        }
    }
}
